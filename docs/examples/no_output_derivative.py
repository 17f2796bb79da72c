"""The README's out-of-catalogue example: the output layer's activation derivative is left
out (the error at the output is taken as a - y whatever the output activation)."""

import numpy as np
from my_backprop import ACT


def loss_and_grads(params, X, Y, spec):
    n, L = X.shape[0], spec.depth
    a = [X]
    for l in range(1, L + 1):
        a.append(ACT[spec.activations[l - 1]][0](a[-1] @ params[f"W{l}"] + params[f"b{l}"]))
    weights = sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    loss = np.mean((a[-1] - Y) ** 2) + spec.l2 / (2 * n) * weights
    dz = 2 * (a[-1] - Y) / Y.size
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = a[l - 1].T @ dz + spec.l2 / n * params[f"W{l}"]
        grads[f"b{l}"] = dz.sum(axis=0)
        if l > 1:
            dz = (dz @ params[f"W{l}"].T) * ACT[spec.activations[l - 2]][1](a[l - 1])
    return loss, grads
