"""A compact vectorised backprop for any depth: sigmoid hidden layers, softmax cross-entropy
on soft or one-hot rows, L2 on the weights."""
import numpy as np


def loss_and_grads(params, X, Y, spec):
    L, m = spec.depth, X.shape[0]
    acts = [X]
    for l in range(1, L + 1):
        z = acts[-1] @ params[f"W{l}"] + params[f"b{l}"]
        acts.append(1 / (1 + np.exp(-z)) if l < L else z)
    z = acts[-1] - acts[-1].max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -np.sum(Y * logp) / m
    loss += spec.l2 / (2 * m) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))

    grads = {}
    delta = np.exp(logp) * Y.sum(axis=1, keepdims=True) - Y
    for l in range(L, 0, -1):
        a_mean = acts[l - 1].mean(axis=0)
        d_mean = delta.mean(axis=0)
        grads[f"W{l}"] = np.outer(a_mean, d_mean) + spec.l2 / m * params[f"W{l}"]
        grads[f"b{l}"] = d_mean
        if l > 1:
            delta = (delta @ params[f"W{l}"].T) * acts[l - 1] * (1 - acts[l - 1])
    return loss, grads
