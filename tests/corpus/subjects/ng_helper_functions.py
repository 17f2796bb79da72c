"""Andrew-Ng-style helper functions (initialise from params, forward, compute_cost, backward), rows are examples."""
import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def forward(params, X, activations):
    caches = []
    A = X
    for l, name in enumerate(activations, start=1):
        Z = A @ params["W" + str(l)] + params["b" + str(l)]
        if name == "sigmoid":
            A_new = sigmoid(Z)
        elif name == "tanh":
            A_new = np.tanh(Z)
        elif name == "relu":
            A_new = np.maximum(0, Z)
        else:
            A_new = Z
        caches.append((A, Z, A_new))
        A = A_new
    return A, caches


def compute_cost(AL, Y, loss):
    m = Y.shape[0]
    if loss == "mse":
        return np.mean((AL - Y) ** 2)
    if loss == "softmax_cross_entropy":
        shifted = AL - np.max(AL, axis=1, keepdims=True)
        log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        return -np.sum(Y * log_p) / m
    P = sigmoid(AL)
    return -np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)) / m


def backward(AL, Y, caches, params, activations, loss, lambd):
    m = Y.shape[0]
    grads = {}
    if loss == "mse":
        dA = 2 * (AL - Y) / AL.size
    elif loss == "softmax_cross_entropy":
        e = np.exp(AL - np.max(AL, axis=1, keepdims=True))
        dA = (e / np.sum(e, axis=1, keepdims=True) - Y) / m
    else:
        dA = (sigmoid(AL) - Y) / m
    for l in reversed(range(1, len(caches) + 1)):
        A_prev, Z, A = caches[l - 1]
        name = activations[l - 1]
        if name == "sigmoid":
            dZ = dA * A * (1 - A)
        elif name == "tanh":
            dZ = dA * (1 - A ** 2)
        elif name == "relu":
            dZ = dA * (Z > 0)
        else:
            dZ = dA
        W = params["W" + str(l)]
        grads["W" + str(l)] = A_prev.T @ dZ + lambd / m * W
        grads["b" + str(l)] = np.sum(dZ, axis=0)
        dA = dZ @ W.T
    return grads


def loss_and_grads(params, X, Y, spec):
    AL, caches = forward(params, X, spec.activations)
    m = X.shape[0]
    cost = compute_cost(AL, Y, spec.loss)
    cost += spec.l2 / (2 * m) * sum(np.sum(params["W" + str(l)] ** 2) for l in range(1, len(caches) + 1))
    grads = backward(AL, Y, caches, params, spec.activations, spec.loss, spec.l2)
    return cost, grads
