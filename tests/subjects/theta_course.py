"""Correct, in the classic course layout (``--layout theta``): ``Theta_l`` of shape
``(out, in + 1)`` with the bias as column 0, a column of ones prepended to each activation,
``z = a @ Theta.T``, and the regularisation skipping column 0.
"""

import numpy as np


def g(name, z):
    return {"sigmoid": lambda: 1 / (1 + np.exp(-z)), "tanh": lambda: np.tanh(z),
            "relu": lambda: np.maximum(z, 0), "identity": lambda: z}[name]()


def g_prime(name, z):
    if name == "sigmoid":
        return g("sigmoid", z) * (1 - g("sigmoid", z))
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0) * 1.0
    return np.ones_like(z)


def with_ones(a):
    return np.hstack([np.ones((a.shape[0], 1)), a])


def nn_cost(thetas, X, Y, spec):
    m, L = X.shape[0], spec.depth
    T = [thetas[f"Theta{i}"] for i in range(1, L + 1)]
    a, z = [with_ones(X)], []
    for i in range(L):
        z.append(a[-1] @ T[i].T)
        h = g(spec.activations[i], z[-1])
        a.append(with_ones(h) if i < L - 1 else h)
    h = a[-1]
    if spec.loss == "mse":
        J = np.sum((h - Y) ** 2) / Y.size
        d = 2 * (h - Y) / Y.size * g_prime(spec.activations[-1], z[-1])
    elif spec.loss == "softmax_cross_entropy":
        s = h - h.max(axis=1, keepdims=True)
        logp = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
        J = -np.sum(Y * logp) / m
        d = (np.exp(logp) * Y.sum(axis=1, keepdims=True) - Y) / m
    else:
        J = np.sum(np.logaddexp(0, h) - Y * h) / m
        d = (g("sigmoid", h) - Y) / m
    J += spec.l2 / (2 * m) * sum(np.sum(t[:, 1:] ** 2) for t in T)
    grads = {}
    for i in range(L - 1, -1, -1):
        grad = d.T @ a[i]
        grad[:, 1:] += spec.l2 / m * T[i][:, 1:]
        grads[f"Theta{i + 1}"] = grad
        if i > 0:
            d = (d @ T[i])[:, 1:] * g_prime(spec.activations[i - 1], z[i - 1])
    return J, grads
