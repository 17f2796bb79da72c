"""The README's tutorial: a learner's backprop for the MSE loss, with one bug."""

import numpy as np

ACT = {  # name: (activation, its derivative written with the activation's output a)
    "identity": (lambda z: z, lambda a: np.ones_like(a)),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "tanh": (np.tanh, lambda a: 1 - a ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0) * 1.0),
}


def loss_and_grads(params, X, Y, spec):
    n, L = X.shape[0], spec.depth
    a = [X]
    for l in range(1, L + 1):
        a.append(ACT[spec.activations[l - 1]][0](a[-1] @ params[f"W{l}"] + params[f"b{l}"]))
    weights = sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    loss = np.mean((a[-1] - Y) ** 2) + spec.l2 / (2 * n) * weights
    da = 2 * (a[-1] - Y) / Y.size
    grads = {}
    for l in range(L, 0, -1):
        dz = da * ACT[spec.activations[l - 1]][1](a[l])
        grads[f"W{l}"] = a[l - 1].T @ dz + spec.l2 / n * params[f"W{l}"]
        grads[f"b{l}"] = dz.mean(axis=0)
        da = dz @ params[f"W{l}"].T
    return loss, grads
