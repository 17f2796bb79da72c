"""Softplus network split into forward() and backward() functions sharing a cache dict.

softplus(z) = log(1 + e^z) on the hidden layers, a linear output, mean squared error.
"""
import numpy as np


def softplus(z):
    return np.logaddexp(0.0, z)


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def forward(params, X, depth):
    cache = {"a0": X}
    a = X
    for k in range(1, depth + 1):
        z = a @ params[f"W{k}"] + params[f"b{k}"]
        a = softplus(z) if k < depth else z
        cache[f"z{k}"], cache[f"a{k}"] = z, a
    return a, cache


def backward(params, cache, Y, depth, l2):
    m = Y.shape[0]
    out = cache[f"a{depth}"]
    d = 2.0 * (out - Y) / Y.size
    grads = {}
    for k in range(depth, 0, -1):
        if k < depth:
            d = d * sigmoid(cache[f"a{k}"])
        grads[f"W{k}"] = cache[f"a{k - 1}"].T @ d + l2 / m * params[f"W{k}"]
        grads[f"b{k}"] = d.sum(axis=0)
        d = d @ params[f"W{k}"].T
    return grads


def loss_and_grads(params, X, Y, spec):
    out, cache = forward(params, X, spec.depth)
    m = X.shape[0]
    reg = sum(np.sum(params[f"W{k}"] ** 2) for k in range(1, spec.depth + 1))
    loss = np.mean((out - Y) ** 2) + spec.l2 / (2 * m) * reg
    return loss, backward(params, cache, Y, spec.depth, spec.l2)
