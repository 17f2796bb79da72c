"""One SGD step on an MLP of any depth: forward caches in lists, then a backward sweep."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def g(kind, z):
    return {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda v: np.maximum(v, 0),
            "identity": lambda v: v}[kind](z)


def g_prime(kind, z, a):
    if kind == "sigmoid":
        return a * (1 - a)
    if kind == "tanh":
        return 1 - a ** 2
    if kind == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


def sgd_step(params, X, Y, spec, lr):
    L = len(spec.sizes) - 1
    m = X.shape[0]
    Ws = [None] + [params["W%d" % l].copy() for l in range(1, L + 1)]
    bs = [None] + [params["b%d" % l].copy() for l in range(1, L + 1)]

    A, Z = [X], [None]
    for l in range(1, L + 1):
        Z.append(A[l - 1] @ Ws[l] + bs[l])
        A.append(g(spec.activations[l - 1], Z[l]))

    out = A[L]
    if spec.loss == "mse":
        delta = 2 * (out - Y) / out.size * g_prime(spec.activations[-1], Z[L], out)
    elif spec.loss == "softmax_cross_entropy":
        e = np.exp(out - out.max(axis=1, keepdims=True))
        delta = (e / e.sum(axis=1, keepdims=True) - Y) / m
    else:
        delta = (sigmoid(out) - Y) / m

    for l in range(L, 0, -1):
        dW = A[l - 1].T @ delta + spec.l2 / m * Ws[l]
        Ws[l] = Ws[l] - lr * dW
        if l > 1:
            delta = (delta @ Ws[l].T) * g_prime(spec.activations[l - 2], Z[l - 1], A[l - 1])

    new_params = {}
    for l in range(1, L + 1):
        new_params["W%d" % l] = Ws[l]
        new_params["b%d" % l] = bs[l]
    return new_params
