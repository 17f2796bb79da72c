"""Course-style Theta matrices (bias in column 0) passed as a dict, any depth, cost and gradient together."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def act(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z


def act_gradient(name, z, a):
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a ** 2
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


def cost_function(params, X, Y, spec):
    L = len(spec.sizes) - 1
    Thetas = [params["Theta%d" % l] for l in range(1, L + 1)]
    m = X.shape[0]
    lam = spec.l2

    A = [X]
    Zs = []
    for l, Theta in enumerate(Thetas):
        a_bias = np.hstack([np.ones((m, 1)), A[-1]])
        Z = a_bias @ Theta.T
        Zs.append(Z)
        A.append(act(spec.activations[l], Z))
    H = A[-1]

    if spec.loss == "mse":
        J = np.sum((H - Y) ** 2) / H.size
        delta = 2 * (H - Y) / H.size * act_gradient(spec.activations[-1], Zs[-1], H)
    elif spec.loss == "softmax_cross_entropy":
        S = H - H.max(axis=1, keepdims=True)
        logP = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
        J = -np.sum(Y * logP) / m
        delta = (np.exp(logP) - Y) / m
    else:
        J = np.sum(np.logaddexp(0, H) - Y * H) / m
        delta = (sigmoid(H) - Y) / m
    J += lam / (2 * m) * sum(np.sum(T[:, 1:] ** 2) for T in Thetas)

    grads = {}
    for l in range(L, 0, -1):
        Theta = Thetas[l - 1]
        a_bias = np.hstack([np.ones((m, 1)), A[l - 1]])
        G = delta.T @ a_bias
        G[:, 1:] -= lam / m * Theta[:, 1:]
        grads["Theta%d" % l] = G
        if l > 1:
            delta = (delta @ Theta[:, 1:]) * act_gradient(spec.activations[l - 2], Zs[l - 2], A[l - 1])
    return J, grads
