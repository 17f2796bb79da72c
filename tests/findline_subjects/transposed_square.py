"""A square first layer (4 inputs, 4 hidden units): dW1 computed as dz1.T @ X, the transpose
of the right gradient in the same shape, so nothing fails to broadcast."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    loss = np.mean((out - Y) ** 2)
    dout = 2 * (out - Y) / out.size
    dz1 = (dout @ params["W2"].T) * (1 - h ** 2)
    dW1 = dz1.T @ X  # BUG: X.T @ dz1
    return loss, {"W1": dW1, "b1": dz1.sum(axis=0), "W2": h.T @ dout, "b2": dout.sum(axis=0)}
