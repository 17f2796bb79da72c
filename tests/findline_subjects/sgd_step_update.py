"""One SGD step (update mode); the hidden delta forgets the tanh derivative."""

import numpy as np


def sgd_step(params, X, Y, spec, lr):
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    dout = 2 * (out - Y) / out.size
    dW2 = h.T @ dout
    db2 = dout.sum(axis=0)
    dz1 = dout @ params["W2"].T  # BUG: * (1 - h ** 2)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return {"W1": params["W1"] - lr * dW1, "b1": params["b1"] - lr * db1,
            "W2": params["W2"] - lr * dW2, "b2": params["b2"] - lr * db2}
