"""A two-layer tanh network for the MSE loss whose first bias gradient keeps its summed axis:
a (1, n) row where the contract reads (n,)."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.tanh(z1)
    out = a1 @ params["W2"] + params["b2"]
    loss = np.mean((out - Y) ** 2)
    dout = 2 * (out - Y) / out.size
    dz1 = dout @ params["W2"].T * (1 - a1 ** 2)
    db1 = np.sum(dz1, axis=0, keepdims=True)  # BUG: a (1, n) row
    grads = {"W1": X.T @ dz1, "b1": db1, "W2": a1.T @ dout, "b2": dout.sum(axis=0)}
    return loss, grads
