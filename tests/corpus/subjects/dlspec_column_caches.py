"""Deep-learning-specialisation layout: W[l] is (n_l, n_prev), examples are columns, caches per layer."""
import numpy as np


def activation_forward(Z, activation):
    if activation == "sigmoid":
        A = 1 / (1 + np.exp(-Z))
    elif activation == "relu":
        A = np.maximum(0, Z)
    elif activation == "tanh":
        A = np.tanh(Z)
    else:
        A = Z
    return A


def activation_backward(dA, Z, A, activation):
    if activation == "sigmoid":
        return dA * A * (1 - A)
    if activation == "relu":
        dZ = np.array(dA, copy=True)
        dZ[Z <= 0] = 0
        return dZ
    if activation == "tanh":
        return dA * (1 - A ** 2)
    return dA


def linear_backward(dZ, A_prev, W, lambd):
    m = A_prev.shape[1]
    dW = 1. / m * np.dot(dZ, A_prev.T) + (lambd / m) * W
    db = 1. / m * np.sum(dZ, axis=0, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    parameters = {}
    for l in range(1, L + 1):
        parameters["W" + str(l)] = params["W" + str(l)].T
        parameters["b" + str(l)] = params["b" + str(l)].reshape(-1, 1)

    A = X.T
    Yt = Y.T
    m = A.shape[1]
    caches = []
    for l in range(1, L + 1):
        W, b = parameters["W" + str(l)], parameters["b" + str(l)]
        Z = np.dot(W, A) + b
        A_next = activation_forward(Z, spec.activations[l - 1])
        caches.append((A, W, Z, A_next))
        A = A_next
    AL = A

    if spec.loss == "mse":
        cost = np.sum((AL - Yt) ** 2) / AL.size
        dAL = 2 * (AL - Yt) / AL.shape[0]
    elif spec.loss == "softmax_cross_entropy":
        shifted = AL - np.max(AL, axis=0, keepdims=True)
        logp = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
        cost = -np.sum(Yt * logp) / m
        dAL = np.exp(logp) - Yt
    else:
        cost = np.sum(np.logaddexp(0, AL) - Yt * AL) / m
        dAL = 1 / (1 + np.exp(-AL)) - Yt
    cost += spec.l2 / (2 * m) * sum(np.sum(np.square(parameters["W" + str(l)])) for l in range(1, L + 1))

    grads = {}
    dA = dAL
    for l in reversed(range(1, L + 1)):
        A_prev, W, Z, A_l = caches[l - 1]
        dZ = activation_backward(dA, Z, A_l, spec.activations[l - 1])
        dA, dW, db = linear_backward(dZ, A_prev, W, spec.l2)
        grads["W" + str(l)] = dW.T
        grads["b" + str(l)] = np.ravel(db)
    return cost, grads
