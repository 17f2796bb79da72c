"""Correct for what it implements: a classifier whose hidden layers may be ReLU or sigmoid
(a lookup table with no other entries) and whose output is softmax cross-entropy on logits.
On a network with a tanh or identity hidden layer it raises KeyError, and ``crosscheck
verify`` advises ``--hidden-activations sigmoid,relu``."""

import numpy as np

HIDDEN = {  # name: (activation, derivative from the output a)
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(float)),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
}


def loss_and_grads(params, X, Y, spec):
    L, n = spec.depth, X.shape[0]
    acts = [X]
    for i in range(1, L):
        f, _ = HIDDEN[spec.activations[i - 1]]
        acts.append(f(acts[-1] @ params[f"W{i}"] + params[f"b{i}"]))
    z = acts[-1] @ params[f"W{L}"] + params[f"b{L}"]
    s = z - z.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    weights = sum(np.sum(params[f"W{i}"] ** 2) for i in range(1, L + 1))
    loss = -np.sum(Y * log_p) / n + spec.l2 / (2 * n) * weights
    delta = (np.exp(log_p) * Y.sum(axis=1, keepdims=True) - Y) / n
    grads = {}
    for i in range(L, 0, -1):
        grads[f"W{i}"] = acts[i - 1].T @ delta + spec.l2 / n * params[f"W{i}"]
        grads[f"b{i}"] = delta.sum(axis=0)
        if i > 1:
            delta = delta @ params[f"W{i}"].T * HIDDEN[spec.activations[i - 2]][1](acts[i - 1])
    return float(loss), grads
