"""The README's compound example: the same learner's backprop with two bugs at once."""

import numpy as np
from my_backprop import ACT


def loss_and_grads(params, X, Y, spec):
    n, L = X.shape[0], spec.depth
    a = [X]
    for l in range(1, L + 1):
        a.append(ACT[spec.activations[l - 1]][0](a[-1] @ params[f"W{l}"] + params[f"b{l}"]))
    weights = sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    loss = np.mean((a[-1] - Y) ** 2) + spec.l2 / (2 * n) * weights
    da = a[-1] - Y
    grads = {}
    for l in range(L, 0, -1):
        dz = da * ACT[spec.activations[l - 1]][1](a[l])
        grads[f"W{l}"] = a[l - 1].T @ dz + spec.l2 / n * params[f"W{l}"]
        grads[f"b{l}"] = dz.mean(axis=0)
        da = dz @ params[f"W{l}"].T
    return loss, grads
