"""Backprop one example at a time, accumulating gradients over the minibatch, for any stack
of sigmoid hidden layers with a linear output and a mean-squared-error cost."""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def compute_gradients(params, X, Y, spec):
    L = spec.depth
    N = X.shape[0]
    K = Y.shape[1]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    total = 0.0
    for n in range(N):
        h = [X[n]]
        for l in range(1, L + 1):
            z = h[-1] @ params["W%d" % l] + params["b%d" % l]
            h.append(sigmoid(z) if l < L else z)
        err = h[-1] - Y[n]
        total += np.sum(err ** 2)
        d = 2.0 * err / (N * K)
        for l in range(L, 0, -1):
            grads["W%d" % l] += np.outer(h[l - 1], d)
            grads["b%d" % l] += d
            if l > 1:
                d = (params["W%d" % l] @ d) * h[l - 1] * (1.0 - h[l - 1])
    penalty = 0.0
    for l in range(1, L + 1):
        W = params["W%d" % l]
        penalty += np.sum(W * W)
        grads["W%d" % l] += spec.l2 / N * W
    loss = total / (N * K) + spec.l2 / (2 * N) * penalty
    return loss, grads
