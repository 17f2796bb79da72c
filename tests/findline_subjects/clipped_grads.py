"""Right gradients, then clipped to a total norm of 0.1 before they are handed back."""

import numpy as np


def clip(grads, max_norm=0.1):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm > max_norm:
        for k in grads:
            grads[k] = grads[k] * (max_norm / norm)  # BUG: a gradient check wants them as they are
    return grads


def loss_and_grads(params, X, Y, spec):
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.tanh(z1)
    out = a1 @ params["W2"] + params["b2"]
    loss = np.mean((out - Y) ** 2)
    dout = 2 * (out - Y) / out.size
    dz1 = (dout @ params["W2"].T) * (1 - a1 ** 2)
    grads = {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": a1.T @ dout,
             "b2": dout.sum(axis=0)}
    return loss, clip(grads)
