"""Deep-learning-course style (deeplearning.ai): parameters in a dict, helper functions
relu / relu_derivative, linear_forward and linear_backward per layer, cache tuples.
ReLU hidden layers, softmax output on one-hot targets, L2 regularisation lambd/(2m).
"""
import numpy as np


def relu(Z):
    return np.maximum(0, Z)


def relu_derivative(Z):
    return np.where(Z > 0, 1.0, Z)


def linear_forward(A_prev, W, b):
    Z = A_prev @ W + b
    return Z, (A_prev, W)


def linear_backward(dZ, cache):
    A_prev, W = cache
    dW = A_prev.T @ dZ
    db = np.sum(dZ, axis=0)
    dA_prev = dZ @ W.T
    return dA_prev, dW, db


def model_loss_and_grads(parameters, X, Y, spec):
    L = spec.depth
    m = X.shape[0]
    lambd = spec.l2
    caches = []
    A = X
    for l in range(1, L + 1):
        Z, lin_cache = linear_forward(A, parameters["W" + str(l)], parameters["b" + str(l)])
        caches.append((lin_cache, Z))
        A = relu(Z) if l < L else Z

    Z_out = A - np.max(A, axis=1, keepdims=True)
    log_softmax = Z_out - np.log(np.sum(np.exp(Z_out), axis=1, keepdims=True))
    cross_entropy = -np.sum(Y * log_softmax) / m
    l2_cost = lambd / (2 * m) * sum(np.sum(np.square(parameters["W" + str(l)]))
                                    for l in range(1, L + 1))
    cost = cross_entropy + l2_cost

    grads = {}
    dZ = (np.exp(log_softmax) - Y) / m
    for l in reversed(range(1, L + 1)):
        lin_cache, Z = caches[l - 1]
        if l < L:
            dZ = dA * relu_derivative(Z)
        dA, dW, db = linear_backward(dZ, lin_cache)
        grads["dW" + str(l)] = dW + lambd / m * parameters["W" + str(l)]
        grads["db" + str(l)] = db
    return cost, {key[1:]: value for key, value in grads.items()}
