"""Examples in columns (course style): biases kept as (units, 1) columns; the output bias's
gradient is right as a column, then halved when it is flattened."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    W1, W2 = params["W1"].T, params["W2"].T  # (out, in)
    b1, b2 = params["b1"].reshape(-1, 1), params["b2"].reshape(-1, 1)
    A0, T = X.T, Y.T  # one example per column
    Z1 = W1 @ A0 + b1
    A1 = np.tanh(Z1)
    Z2 = W2 @ A1 + b2
    loss = np.sum((Z2 - T) ** 2) / T.size
    dZ2 = 2 * (Z2 - T) / T.size
    dW2 = dZ2 @ A1.T
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * (1 - A1 ** 2)
    dW1 = dZ1 @ A0.T
    db1 = np.sum(dZ1, axis=1, keepdims=True)
    grads = {"W1": dW1.T, "b1": db1.ravel(), "W2": dW2.T}
    grads["b2"] = db2.ravel() / 2  # BUG: db2.ravel()
    return loss, grads
