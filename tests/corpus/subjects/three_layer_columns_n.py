"""Hard-coded LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID network, examples as columns, forward/backward_propagation_n."""
import numpy as np


def relu(x):
    return np.maximum(0, x)


def forward_propagation_n(X, Y, parameters, lambd):
    m = X.shape[1]
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = 1 / (1 + np.exp(-Z3))

    logprobs = np.logaddexp(0, Z3) - Y * Z3
    cost = 1. / m * np.sum(logprobs)
    cost += lambd / (2 * m) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    return cost, cache


def backward_propagation_n(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T) + lambd / m * W3
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) * 2 + lambd / m * W2
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T) + lambd / m * W1
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def loss_and_grads(params, X, Y, spec):
    parameters = {}
    for l in (1, 2, 3):
        parameters["W" + str(l)] = params["W" + str(l)].T
        parameters["b" + str(l)] = params["b" + str(l)].reshape(-1, 1)
    cost, cache = forward_propagation_n(X.T, Y.T, parameters, spec.l2)
    gradients = backward_propagation_n(X.T, Y.T, cache, spec.l2)
    grads = {}
    for l in (1, 2, 3):
        grads["W" + str(l)] = gradients["dW" + str(l)].T
        grads["b" + str(l)] = gradients["db" + str(l)].ravel()
    return cost, grads
