"""A ReLU network whose backward lets a tenth of the gradient through where z <= 0."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    z1 = X @ params["W1"] + params["b1"]
    h = np.maximum(z1, 0)
    out = h @ params["W2"] + params["b2"]
    loss = np.mean((out - Y) ** 2)
    dout = 2 * (out - Y) / out.size
    grads = {"W2": h.T @ dout, "b2": dout.sum(axis=0)}
    dh = dout @ params["W2"].T
    dz1 = np.where(z1 > 0, dh, 0.1 * dh)  # BUG: 0 where z1 <= 0
    grads["W1"] = X.T @ dz1
    grads["b1"] = dz1.sum(axis=0)
    return loss, grads
