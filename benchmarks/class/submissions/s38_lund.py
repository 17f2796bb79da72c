"""Backprop in the Deep Learning Specialization layout: examples are columns, W[l] is
(n_l, n_prev), caches per layer, then converted back to the assignment's layout."""
import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def forward_layer(A_prev, W, b, activation):
    Z = np.dot(W, A_prev) + b
    if activation == "relu":
        A = np.maximum(0, Z)
    elif activation == "tanh":
        A = np.tanh(Z)
    elif activation == "sigmoid":
        A = sigmoid(Z)
    else:
        A = Z
    return A, (A_prev, W, Z, A)


def backward_layer(dA, cache, activation, lambd, b):
    A_prev, W, Z, A = cache
    m = A_prev.shape[1]
    if activation == "relu":
        dZ = np.array(dA, copy=True)
        dZ[Z <= 0] = 0
    elif activation == "tanh":
        dZ = dA * (1 - np.power(A, 2))
    elif activation == "sigmoid":
        dZ = dA * A * (1 - A)
    else:
        dZ = dA
    dW = 1. / m * np.dot(dZ, A_prev.T) + lambd / m * W
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True) + lambd / m * b
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    parameters = {}
    for l in range(1, L + 1):
        parameters["W" + str(l)] = params["W" + str(l)].T
        parameters["b" + str(l)] = params["b" + str(l)].reshape(-1, 1)
    A = X.T
    Yt = Y.T
    m = A.shape[1]
    caches = []
    for l in range(1, L + 1):
        A, cache = forward_layer(A, parameters["W" + str(l)], parameters["b" + str(l)],
                                 spec.activations[l - 1])
        caches.append(cache)
    shifted = A - np.max(A, axis=0, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    cost = -1. / m * np.sum(Yt * log_p)
    cost += spec.l2 / (2 * m) * sum(np.sum(np.square(parameters["W" + str(l)])) for l in range(1, L + 1))

    grads = {}
    dZL = np.exp(log_p) - Yt
    dA = dZL
    for l in reversed(range(1, L + 1)):
        dA, dW, db = backward_layer(dA, caches[l - 1], spec.activations[l - 1], spec.l2,
                                        parameters["b" + str(l)])
        grads["W" + str(l)] = dW.T
        grads["b" + str(l)] = db.ravel()
    return cost, grads
