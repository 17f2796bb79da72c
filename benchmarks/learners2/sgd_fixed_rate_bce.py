"""Gradient-descent step for multi-label classification: sigmoid hidden layers, a sigmoid
on every output unit with binary cross-entropy, the step size ETA fixed in the module.
"""
import numpy as np

ETA = 0.5


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def gd_step(params, X, Y, spec):
    L = spec.depth
    m = X.shape[0]
    a = [X]
    for l in range(1, L + 1):
        z = a[-1] @ params["W%d" % l] + params["b%d" % l]
        a.append(sigmoid(z) if l < L else z)
    logits = a[-1]

    updated = {}
    d = (sigmoid(logits) - Y) / m
    for l in range(L, 0, -1):
        W = params["W%d" % l]
        gW = a[l - 1].T @ d + (spec.l2 / m) * W
        gb = d.sum(axis=0)
        if l > 1:
            d = (d @ W.T) * a[l - 1] * (1 - a[l - 1])
        updated["W%d" % l] = W - ETA * gW
        updated["b%d" % l] = params["b%d" % l] - ETA * gb
    return updated
