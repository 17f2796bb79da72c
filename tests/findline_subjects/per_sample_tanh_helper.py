"""Per-sample loop with column vectors, divided by the batch at the end; the tanh derivative
helper forgets the square."""

import numpy as np


def tanh_prime(z):
    return 1 - np.tanh(z)  # BUG: 1 - np.tanh(z) ** 2


def loss_and_grads(params, X, Y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[0]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    total = 0.0
    for i in range(m):
        x = X[i].reshape(-1, 1)
        y = Y[i].reshape(-1, 1)
        z1 = W1.T @ x + b1.reshape(-1, 1)
        a1 = np.tanh(z1)
        out = W2.T @ a1 + b2.reshape(-1, 1)
        total += np.mean((out - y) ** 2)
        dout = 2 * (out - y) / out.shape[0]
        grads["W2"] += a1 @ dout.T
        grads["b2"] += dout.ravel()
        delta = (W2 @ dout) * tanh_prime(z1)
        grads["W1"] += x @ delta.T
        grads["b1"] += delta.ravel()
    return total / m, {k: v / m for k, v in grads.items()}
