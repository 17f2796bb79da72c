"""Feedforward and backpropagation with Theta matrices (bias in column 0), any number of
layers, sigmoid units everywhere, logistic cost on the sigmoid of the last layer.
A NumPy translation of the course exercise generalised to L layers."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def add_ones(a):
    return np.column_stack([np.ones(a.shape[0]), a])


def cost_function(thetas, X, Y, spec):
    m = X.shape[0]
    L = spec.depth
    lam = spec.l2
    A = [add_ones(X)]
    Z = []
    for l in range(1, L + 1):
        z = A[-1] @ thetas["Theta%d" % l].T
        Z.append(z)
        if l < L:
            A.append(add_ones(sigmoid(z)))
    h = sigmoid(Z[-1])
    J = -np.sum(Y * np.log(h) + (1 - Y) * np.log(1 - h)) / m
    J += lam / (2 * m) * sum(np.sum(thetas["Theta%d" % l][:, 1:] ** 2) for l in range(1, L + 1))

    grads = {}
    delta = h - Y
    for l in range(L, 0, -1):
        Theta = thetas["Theta%d" % l]
        G = delta.T @ A[l - 1] / m
        G[:, 1:] += lam / m * Theta[:, 1:]
        grads["Theta%d" % l] = G
        if l > 1:
            s = A[l - 1][:, 1:]
            delta = (delta @ Theta[:, 1:]) * s * (1 - s)
    return J, grads
