"""A correct two-layer tanh network for the MSE loss."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.tanh(z1)
    out = a1 @ params["W2"] + params["b2"]
    loss = np.mean((out - Y) ** 2) + spec.l2 / (2 * X.shape[0]) * (
        np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    dout = 2 * (out - Y) / out.size
    dz1 = dout @ params["W2"].T * (1 - a1 ** 2)
    return loss, {"W1": X.T @ dz1 + spec.l2 / X.shape[0] * params["W1"], "b1": dz1.sum(axis=0),
                  "W2": a1.T @ dout + spec.l2 / X.shape[0] * params["W2"],
                  "b2": dout.sum(axis=0)}
