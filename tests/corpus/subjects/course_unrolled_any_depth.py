"""Course-style nnCostFunction generalised to any depth: one unrolled parameter vector, bias in column 0."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def g(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    return z


def g_prime(name, z):
    if name == "sigmoid":
        return sigmoid(z) * (1 - sigmoid(z))
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


def reshape_thetas(nn_params, layer_sizes):
    thetas = []
    start = 0
    for s_in, s_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        n = s_out * (s_in + 1)
        thetas.append(nn_params[start:start + n].reshape(s_out, s_in + 1))
        start += n
    return thetas


def nn_cost_function(nn_params, X, Y, spec):
    thetas = reshape_thetas(nn_params, spec.sizes)
    m = X.shape[0]
    K = Y.shape[1]
    lam = spec.l2
    n_layers = len(thetas)

    a = [np.hstack([np.ones((m, 1)), X])]
    z = [None]
    for i, Theta in enumerate(thetas):
        zi = a[-1] @ Theta.T
        ai = g(spec.activations[i], zi)
        if i < n_layers - 1:
            ai = np.hstack([np.ones((m, 1)), ai])
        z.append(zi)
        a.append(ai)
    h = a[-1]

    if spec.loss == "mse":
        J = np.sum((h - Y) ** 2) / (m * K)
        d = 2 * (h - Y) / (m * K) * g_prime(spec.activations[-1], z[-1])
    elif spec.loss == "softmax_cross_entropy":
        s = h - h.max(axis=1, keepdims=True)
        log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        J = -np.sum(Y * log_p) / m
        d = (np.exp(log_p) - Y) / m
    else:
        J = np.sum(np.logaddexp(0, h) - Y * h) / m
        d = (sigmoid(h) - Y) / m

    J += lam / (2 * m) * sum(np.sum(T[:, 1:] ** 2) for T in thetas)

    grads = [None] * n_layers
    for i in range(n_layers - 1, -1, -1):
        grads[i] = d.T @ a[i]
        grads[i][:, 1:] += lam / m * thetas[i][:, 1:]
        if i > 0:
            d = (d @ thetas[i][:, 1:]) * g_prime(spec.activations[i - 1], z[i])

    grad = np.concatenate([G.ravel() for G in grads])
    return J, grad
