"""Per-sample rows, mean squared error: the averaging and the return are indented into the
loop over samples, so only the first sample counts."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    m = X.shape[0]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    J = 0.0
    for i in range(m):
        x, y = X[i:i + 1], Y[i:i + 1]
        h = np.tanh(x @ params["W1"] + params["b1"])
        out = h @ params["W2"] + params["b2"]
        J += np.mean((out - y) ** 2)
        d = 2 * (out - y) / out.size
        grads["W2"] += h.T @ d
        grads["b2"] += d[0]
        dz = (d @ params["W2"].T) * (1 - h ** 2)
        grads["W1"] += x.T @ dz
        grads["b1"] += dz[0]
        J = J / m  # BUG: after the loop, as the two lines below
        grads = {k: v / m for k, v in grads.items()}
        return J, grads
