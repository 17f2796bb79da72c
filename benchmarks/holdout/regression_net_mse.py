"""Regression MLP with sigmoid hidden layers and a linear output, trained on the mean
squared error; loss and gradients for the whole batch at once."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    m = X.shape[0]
    a = [X]
    for l in range(1, L + 1):
        z = a[-1] @ params["W%d" % l] + params["b%d" % l]
        a.append(sigmoid(z) if l < L else z)
    diff = a[-1] - Y
    loss = np.sum(diff ** 2) / (2 * m)
    loss += spec.l2 / (2 * m) * sum(np.sum(params["W%d" % l] ** 2) for l in range(1, L + 1))
    delta = diff / m
    grads = {}
    for l in range(L, 0, -1):
        grads["W%d" % l] = a[l - 1].T @ delta + spec.l2 / m * params["W%d" % l]
        grads["b%d" % l] = delta.sum(axis=0)
        if l > 1:
            delta = (delta @ params["W%d" % l].T) * a[l - 1] * (1 - a[l - 1])
    return loss, grads
