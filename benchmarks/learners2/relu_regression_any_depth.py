"""Vectorised ReLU network of any depth for regression (mean squared error), written with
lists of pre-activations and activations and a backward loop over the layers.
"""
import numpy as np


def forward(params, X, L):
    hs = [X]
    zs = []
    for l in range(1, L + 1):
        z = hs[-1] @ params[f"W{l}"] + params[f"b{l}"]
        zs.append(z)
        hs.append(np.maximum(z, 0) if l < L else z)
    return zs, hs


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    m = X.shape[0]
    zs, hs = forward(params, X, L)
    out = hs[-1]
    weight_sq = sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    loss = np.mean((out - Y) ** 2) + spec.l2 / (2 * m) * weight_sq

    grads = {}
    dh = 2 * (out - Y) / out.size
    for l in range(L, 0, -1):
        if l < L:
            dh[dh < 0] = 0
        grads[f"W{l}"] = hs[l - 1].T @ dh + spec.l2 / m * params[f"W{l}"]
        grads[f"b{l}"] = dh.sum(axis=0)
        dh = dh @ params[f"W{l}"].T
    return loss, grads
