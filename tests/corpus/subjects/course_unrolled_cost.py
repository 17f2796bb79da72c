"""Course-style cost function over an unrolled parameter vector, any depth, Theta matrices with bias column 0."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def activation(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    return z


def activation_gradient(name, z):
    if name == "sigmoid":
        return sigmoid(z) * (1 - sigmoid(z))
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return np.where(z > 0, 1.0, 0.0)
    return np.ones_like(z)


def nn_cost_function(nn_params, X, Y, spec):
    sizes = spec.sizes
    Thetas = []
    pos = 0
    for j in range(len(sizes) - 1):
        rows, cols = sizes[j + 1], sizes[j] + 1
        Thetas.append(np.reshape(nn_params[pos:pos + rows * cols], (rows, cols)))
        pos += rows * cols

    m = X.shape[0]
    lam = spec.l2
    a = [np.column_stack([np.ones(m), X])]
    z = []
    for j, Theta in enumerate(Thetas):
        z.append(a[j] @ Theta.T)
        aj = activation(spec.activations[j], z[j])
        if j < len(Thetas) - 1:
            aj = np.column_stack([np.ones(m), aj])
        a.append(aj)
    h = a[-1]

    if spec.loss == "mse":
        J = np.mean((h - Y) ** 2)
        delta = 2 * (h - Y) / h.size * activation_gradient(spec.activations[-1], z[-1])
    elif spec.loss == "softmax_cross_entropy":
        s = h - np.max(h, axis=1, keepdims=True)
        log_p = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
        J = -np.sum(Y * log_p) / m
        delta = (np.exp(log_p) - Y) / m
    else:
        J = np.sum(np.logaddexp(0, h) - Y * h) / m
        delta = (sigmoid(h) - Y) / m

    J += lam / (2 * m) * sum(np.sum(Theta ** 2) for Theta in Thetas)

    Theta_grads = [None] * len(Thetas)
    for j in reversed(range(len(Thetas))):
        Theta_grads[j] = delta.T @ a[j] + (lam / m) * Thetas[j]
        if j > 0:
            delta = (delta @ Thetas[j][:, 1:]) * activation_gradient(spec.activations[j - 1], z[j - 1])

    return J, np.concatenate([G.flatten() for G in Theta_grads])
