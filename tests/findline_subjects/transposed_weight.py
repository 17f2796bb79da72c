"""Two hidden layers of the same width: dL/da1 multiplies by W2 instead of W2.T (the shapes agree)."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    z1 = X @ W1 + b1
    a1 = np.tanh(z1)
    z2 = a1 @ W2 + b2
    a2 = np.tanh(z2)
    out = a2 @ W3 + b3
    loss = np.mean((out - Y) ** 2)
    dout = 2 * (out - Y) / out.size
    dW3 = a2.T @ dout
    db3 = dout.sum(axis=0)
    da2 = dout @ W3.T
    dz2 = da2 * (1 - a2 ** 2)
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0)
    da1 = dz2 @ W2  # BUG: W2.T
    dz1 = da1 * (1 - a1 ** 2)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}
