"""A correct sigmoid_prime(z) helper, called with the activation a instead of z."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def loss_and_grads(params, X, Y, spec):
    z1 = X @ params["W1"] + params["b1"]
    a1 = sigmoid(z1)
    out = a1 @ params["W2"] + params["b2"]
    loss = np.mean((out - Y) ** 2)
    dout = 2 * (out - Y) / out.size
    da1 = dout @ params["W2"].T
    dz1 = da1 * sigmoid_prime(a1)  # BUG: sigmoid_prime(z1)
    return loss, {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": a1.T @ dout,
                  "b2": dout.sum(axis=0)}
