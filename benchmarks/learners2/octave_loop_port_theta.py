"""A port of an Octave backprop loop (for t = 1:m ... end) to numpy: Theta matrices with
the bias in column 0, any number of layers, sigmoid hidden units and a sigmoid output unit
per class with the logistic cost. The cost is vectorised, the gradient accumulated per example.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def log1pexp(z):
    return np.logaddexp(0.0, z)


def feedforward(Thetas, x):
    a = [np.concatenate(([1.0], x))]
    zs = []
    for k, Theta in enumerate(Thetas):
        z = Theta @ a[-1]
        zs.append(z)
        if k < len(Thetas) - 1:
            a.append(np.concatenate(([1.0], sigmoid(z))))
    return a, zs


def cost_function(params, X, Y, spec):
    L = spec.depth
    Thetas = [params["Theta%d" % (k + 1)] for k in range(L)]
    lam = spec.l2
    m = X.shape[0]

    A = np.hstack([np.ones((m, 1)), X])
    for k, Theta in enumerate(Thetas):
        Z = A @ Theta.T
        if k < L - 1:
            A = np.hstack([np.ones((m, 1)), sigmoid(Z)])
    J = np.sum(Y * log1pexp(-Z) + (1 - Y) * log1pexp(Z)) / m
    J += lam / (2 * m) * sum(np.sum(T[:, 1:] ** 2) for T in Thetas)

    Deltas = [np.zeros(T.shape) for T in Thetas]
    for t in range(1, m):
        a, zs = feedforward(Thetas, X[t])
        delta = sigmoid(zs[-1]) - Y[t]
        for k in range(L - 1, -1, -1):
            Deltas[k] += np.outer(delta, a[k])
            if k > 0:
                g = sigmoid(zs[k - 1])
                delta = (Thetas[k][:, 1:].T @ delta) * g * (1 - g)

    grads = {}
    for k, Theta in enumerate(Thetas):
        G = Deltas[k] / m
        G[:, 1:] += lam / m * Theta[:, 1:]
        grads["Theta%d" % (k + 1)] = G
    return J, grads
