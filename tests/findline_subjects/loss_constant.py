"""A softmax classifier whose gradients are right; its loss adds an epsilon, written as a
constant on a line of its own, inside the log."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    n = X.shape[0]
    h = np.tanh(X @ params["W1"] + params["b1"])
    scores = h @ params["W2"] + params["b2"]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    eps = 1e-7
    loss = -np.sum(Y * np.log(p + eps)) / n  # BUG: the epsilon changes the loss
    dscores = (p - Y) / n
    dz1 = dscores @ params["W2"].T * (1 - h ** 2)
    return loss, {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ dscores,
                  "b2": dscores.sum(axis=0)}
