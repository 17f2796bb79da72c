"""One SGD step (update mode) that updates W2 before it passes the error down to layer 1:
the step depends on the learning rate, so nothing is compared; the line is still found."""

import numpy as np


def sgd_step(params, X, Y, spec, lr):
    W1, b1, W2, b2 = (params[k].copy() for k in ("W1", "b1", "W2", "b2"))
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    dout = 2 * (out - Y) / out.size
    dW2 = h.T @ dout
    W2 -= lr * dW2
    b2 -= lr * dout.sum(axis=0)
    dh = dout @ W2.T  # BUG: W2 was updated on the line above
    dz1 = dh * (1 - h ** 2)
    W1 -= lr * (X.T @ dz1)
    b1 -= lr * dz1.sum(axis=0)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
