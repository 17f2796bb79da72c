"""The output's error computed in place on the output itself: `grad = out` is the same array,
so `grad -= Y` changes the sigmoid output the backward reads next."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = 1 / (1 + np.exp(-(h @ params["W2"] + params["b2"])))
    loss = np.mean((out - Y) ** 2)
    grad = out  # BUG: out.copy()
    grad -= Y
    grad *= 2.0 / out.size
    dz2 = grad * out * (1 - out)
    dz1 = (dz2 @ params["W2"].T) * (1 - h ** 2)
    return loss, {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ dz2,
                  "b2": dz2.sum(axis=0)}
