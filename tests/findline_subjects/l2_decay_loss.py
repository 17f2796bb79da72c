"""A softmax classifier with weight decay: the L2 coefficient is computed once on its own
line; the data loss adds an epsilon inside the log."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    n = X.shape[0]
    h = np.tanh(X @ params["W1"] + params["b1"])
    scores = h @ params["W2"] + params["b2"]
    decay = spec.l2 / n
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.sum(Y * np.log(p + 1e-2)) / n  # BUG: the epsilon changes the loss
    loss += 0.5 * decay * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    dscores = (p - Y) / n
    dz1 = dscores @ params["W2"].T * (1 - h ** 2)
    return loss, {"W1": X.T @ dz1 + decay * params["W1"], "b1": dz1.sum(axis=0),
                  "W2": h.T @ dscores + decay * params["W2"], "b2": dscores.sum(axis=0)}
