"""An SGD step with L2 weight decay, as a hand-rolled optimiser: compute the data gradient by
backprop, shrink the weights, take the step. Sigmoid hidden layers, softmax cross-entropy."""
import numpy as np


def step(params, X, Y, spec, lr):
    L, n = spec.depth, X.shape[0]
    hs = [X]
    for l in range(1, L + 1):
        z = hs[-1] @ params[f"W{l}"] + params[f"b{l}"]
        hs.append(1 / (1 + np.exp(-z)) if l < L else z)
    logits = hs[-1] - hs[-1].max(axis=1, keepdims=True)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)

    grads = {}
    d = (probs - Y) / n
    for l in range(L, 0, -1):
        grads[f"W{l}"] = hs[l - 1].T @ d
        grads[f"b{l}"] = d.sum(axis=0)
        if l > 1:
            d = (d @ params[f"W{l}"].T) * hs[l - 1] * (1 - hs[l - 1])

    new = {}
    for l in range(1, L + 1):
        W = params[f"W{l}"] * (1 - spec.l2 / n)
        new[f"W{l}"] = W - lr * grads[f"W{l}"]
        new[f"b{l}"] = params[f"b{l}"] - lr * grads[f"b{l}"]
    return new
