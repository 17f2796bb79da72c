"""Regression MLP with leaky-ReLU hidden layers and the textbook quadratic cost
C = 1/(2n) sum ||y - a||^2, activations kept in a small table of (function, derivative).
"""
import numpy as np


def leaky_relu(z, alpha=0.01):
    return np.where(z > 0, z, alpha * z)


def leaky_relu_prime(z, alpha=0.1):
    return np.where(z > 0, 1.0, alpha)


def identity(z):
    return z


def identity_prime(z):
    return np.ones_like(z)


ACTIVATIONS = {
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "identity": (identity, identity_prime),
}


def loss_and_grads(params, X, Y, spec):
    L, n = spec.depth, X.shape[0]
    a, z = [X], [None]
    for l in range(1, L + 1):
        f, _ = ACTIVATIONS[spec.activations[l - 1]]
        z.append(a[-1] @ params[f"W{l}"] + params[f"b{l}"])
        a.append(f(z[-1]))
    cost = 0.5 * np.sum((a[-1] - Y) ** 2) / n
    cost += spec.l2 / (2 * n) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))

    grads = {}
    delta = (a[-1] - Y) / n
    for l in range(L, 0, -1):
        _, fprime = ACTIVATIONS[spec.activations[l - 1]]
        delta = delta * fprime(z[l])
        grads[f"W{l}"] = a[l - 1].T @ delta + spec.l2 / n * params[f"W{l}"]
        grads[f"b{l}"] = delta.sum(axis=0)
        delta = delta @ params[f"W{l}"].T
    return cost, grads
