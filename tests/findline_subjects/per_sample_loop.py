"""One sample at a time, gradients accumulated; the hidden sigmoid's derivative is taken at z."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def loss_and_grads(params, X, Y, spec):
    n = X.shape[0]
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    loss = 0.0
    for i in range(n):
        x, y = X[i], Y[i]
        z1 = x @ W1 + b1
        a1 = sigmoid(z1)
        out = a1 @ W2 + b2
        loss += np.sum((out - y) ** 2) / Y.size
        dout = 2 * (out - y) / Y.size
        grads["W2"] += np.outer(a1, dout)
        grads["b2"] += dout
        da1 = W2 @ dout
        dz1 = da1 * z1 * (1 - z1)  # BUG: a1 * (1 - a1)
        grads["W1"] += np.outer(x, dz1)
        grads["b1"] += dz1
    return loss, grads
