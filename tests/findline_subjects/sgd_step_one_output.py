"""One SGD step (update mode) of a network with one output: the output bias (one element)
is stepped right; the first layer's weights use the batch's mean input."""

import numpy as np


def sgd_step(params, X, Y, spec, lr):
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    dout = 2 * (out - Y) / out.size
    new = {"W2": params["W2"] - lr * (h.T @ dout), "b2": params["b2"] - lr * dout.sum(axis=0)}
    dz1 = (dout @ params["W2"].T) * (1 - h ** 2)
    x = X.mean(axis=0)
    new["W1"] = params["W1"] - lr * np.outer(x, dz1.sum(axis=0))  # BUG: X.T @ dz1
    new["b1"] = params["b1"] - lr * dz1.sum(axis=0)
    return new
