"""Stochastic-gradient style written for a batch: loop over the examples, backpropagate one
at a time, average the gradients, then take one step of size lr. One tanh hidden layer,
linear output, mean squared error over the outputs and the batch.
"""
import numpy as np


def sgd_step(params, X, Y, spec, lr):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n, k = Y.shape
    gW1, gb1 = np.zeros_like(W1), np.zeros_like(b1)
    gW2, gb2 = np.zeros_like(W2), np.zeros_like(b2)
    for i in range(n):
        x, t = X[i], Y[i]
        z1 = x @ W1 + b1
        h = np.tanh(z1)
        out = h @ W2 + b2
        e = 2.0 * (out - t) / k
        gW2 += np.outer(h, e)
        gb2 += e
        dh = W2 @ e
        dz1 = dh * (1 - z1 ** 2)
        gW1 += np.outer(x, dz1)
        gb1 += dz1
    lam = spec.l2
    return {
        "W1": W1 - lr * (gW1 / n + lam / n * W1),
        "b1": b1 - lr * gb1 / n,
        "W2": W2 - lr * (gW2 / n + lam / n * W2),
        "b2": b2 - lr * gb2 / n,
    }
