"""Course-style Theta matrices (bias in column 0) with a gradient function and a gradient-descent step, any depth."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def g(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    return z


def g_grad(name, z):
    if name == "sigmoid":
        return sigmoid(z) * (1 - sigmoid(z))
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


def gradients(Thetas, X, Y, spec):
    m = X.shape[0]
    lam = spec.l2
    a = [np.hstack([np.ones((m, 1)), X])]
    z = []
    for i, Theta in enumerate(Thetas):
        z.append(a[i] @ Theta.T)
        nxt = g(spec.activations[i], z[i])
        if i < len(Thetas) - 1:
            nxt = np.hstack([np.ones((m, 1)), nxt])
        a.append(nxt)
    h = a[-1]
    if spec.loss == "mse":
        d = 2 * (h - Y) / h.size * g_grad(spec.activations[-1], z[-1])
    elif spec.loss == "softmax_cross_entropy":
        e = np.exp(h - h.max(axis=1, keepdims=True))
        d = (e / e.sum(axis=1, keepdims=True) - Y) / m
    else:
        d = (sigmoid(h) - Y) / m
    grads = [None] * len(Thetas)
    for i in reversed(range(len(Thetas))):
        grads[i] = d.T @ a[i]
        grads[i][:, 1:] += lam / m * Thetas[i][:, 1:]
        if i > 0:
            d = (d @ Thetas[i][:, 1:]) * g_grad(spec.activations[i - 1], z[i - 1])
    return grads


def gradient_descent_step(params, X, Y, spec, lr):
    L = len(spec.sizes) - 1
    Thetas = [params["Theta%d" % (i + 1)] for i in range(L)]
    grads = gradients(Thetas, X, Y, spec)
    m = X.shape[0]
    new_params = {}
    for i, (Theta, grad) in enumerate(zip(Thetas, grads)):
        Theta = Theta.copy()
        Theta[:, 1:] *= (1 - lr * spec.l2 / m)
        new_params["Theta%d" % (i + 1)] = Theta - lr * grad
    return new_params
