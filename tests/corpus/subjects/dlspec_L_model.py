"""Deep-learning-specialisation layout: W[l] is (n_l, n_prev), examples are columns, L_model_forward/backward."""
import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z)), Z


def relu(Z):
    return np.maximum(0, Z), Z


def tanh(Z):
    return np.tanh(Z), Z


def identity(Z):
    return Z, Z


def sigmoid_backward(dA, Z):
    s = 1 / (1 + np.exp(-Z))
    return dA * s * (1 - s)


def relu_backward(dA, Z):
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def tanh_backward(dA, Z):
    return dA * (1 - np.tanh(Z) ** 2)


def identity_backward(dA, Z):
    return dA


FORWARD = {"sigmoid": sigmoid, "relu": relu, "tanh": tanh, "identity": identity}
BACKWARD = {"sigmoid": sigmoid_backward, "relu": relu_backward, "tanh": tanh_backward,
            "identity": identity_backward}


def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = FORWARD[activation](Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters, activations):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)],
                                             activations[l - 1])
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y, loss):
    m = Y.shape[1]
    if loss == "mse":
        return np.sum((AL - Y) ** 2) / (m * Y.shape[0])
    if loss == "softmax_cross_entropy":
        shifted = AL - np.max(AL, axis=0, keepdims=True)
        log_p = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
        return -np.sum(Y * log_p) / m
    return np.sum(np.logaddexp(0, AL) - Y * AL) / m


def cost_derivative(AL, Y, loss):
    """Per-example derivative of the loss; the 1/m is applied in linear_backward."""
    if loss == "mse":
        return 2 * (AL - Y) / Y.shape[0]
    if loss == "softmax_cross_entropy":
        e = np.exp(AL - np.max(AL, axis=0, keepdims=True))
        return e / np.sum(e, axis=0, keepdims=True) - Y
    return 1 / (1 + np.exp(-AL)) - Y


def linear_backward(dZ, cache, lambd):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1. / m * np.dot(dZ, A_prev.T) + lambd / m * W
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches, activations, loss, lambd):
    grads = {}
    L = len(caches)
    dA = cost_derivative(AL, Y, loss)
    for l in reversed(range(L)):
        linear_cache, activation_cache = caches[l]
        dZ = BACKWARD[activations[l]](dA, activation_cache)
        dA, dW, db = linear_backward(dZ, linear_cache, lambd)
        grads["dW" + str(l + 1)] = dW
        grads["db" + str(l + 1)] = db
    return grads


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    parameters = {}
    for l in range(1, L + 1):
        parameters["W" + str(l)] = params["W%d" % l].T
        parameters["b" + str(l)] = params["b%d" % l].reshape(-1, 1)
    AL, caches = L_model_forward(X.T, parameters, spec.activations)
    m = X.shape[0]
    cost = compute_cost(AL, Y.T, spec.loss)
    cost += spec.l2 / (2 * m) * sum(np.sum(np.square(parameters["W" + str(l)])) for l in range(1, L + 1))
    grads = L_model_backward(AL, Y.T, caches, spec.activations, spec.loss, spec.l2)
    out = {}
    for l in range(1, L + 1):
        out["W%d" % l] = grads["dW" + str(l)].T
        out["b%d" % l] = grads["db" + str(l)].ravel()
    return float(cost), out
