"""Row-major vectorised network with compute_cost / backprop helper functions and an activation table."""
import numpy as np

EPS = 1e-8


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def g(name, z):
    return {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda v: np.maximum(v, 0),
            "identity": lambda v: v}[name](z)


def g_prime(name, z, a):
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a ** 2
    if name == "relu":
        return (z > 0) * 1.0
    return np.ones_like(a)


def compute_cost(AL, Y, loss):
    m = Y.shape[0]
    if loss == "mse":
        return np.mean(np.square(AL - Y))
    if loss == "softmax_cross_entropy":
        e = np.exp(AL - np.max(AL, axis=1, keepdims=True))
        P = e / np.sum(e, axis=1, keepdims=True)
        return -np.sum(Y * np.log(P + EPS)) / m
    H = sigmoid(AL)
    return -np.sum(Y * np.log(H + EPS) + (1 - Y) * np.log(1 - H + EPS)) / m


def output_delta(AL, ZL, Y, loss, last_act):
    m = Y.shape[0]
    if loss == "mse":
        return 2 * (AL - Y) / AL.size * g_prime(last_act, ZL, AL)
    if loss == "softmax_cross_entropy":
        e = np.exp(AL - np.max(AL, axis=1, keepdims=True))
        return (e / np.sum(e, axis=1, keepdims=True) - Y) / m
    return (sigmoid(AL) - Y) / m


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    m = X.shape[0]
    lam = spec.l2
    A, Z = [X], [None]
    for l in range(1, L + 1):
        Z.append(A[-1] @ params["W%d" % l] + params["b%d" % l])
        A.append(g(spec.activations[l - 1], Z[-1]))

    cost = compute_cost(A[L], Y, spec.loss)
    cost += lam / (2 * m) * sum(np.sum(params["W%d" % l] ** 2) for l in range(1, L + 1))

    grads = {}
    delta = output_delta(A[L], Z[L], Y, spec.loss, spec.activations[-1])
    for l in range(L, 0, -1):
        grads["W%d" % l] = A[l - 1].T @ delta + lam / m * params["W%d" % l]
        grads["b%d" % l] = np.sum(delta, axis=0)
        if l > 1:
            delta = (delta @ params["W%d" % l].T) * g_prime(spec.activations[l - 2], Z[l - 1], A[l - 1])
    return cost, grads
