"""Hard-coded one-hidden-layer network: sigmoid hidden units, sigmoid outputs with cross-entropy."""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def forward_backward(params, X, Y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[0]
    lam = spec.l2

    z1 = np.dot(X, W1) + b1
    a1 = sigmoid(z1)
    z2 = np.dot(a1, W2) + b2
    a2 = sigmoid(z2)

    cost = np.sum(np.logaddexp(0, z2) - Y * z2) / m
    cost += lam / (2 * m) * (np.sum(W1 ** 2) + np.sum(W2 ** 2))

    delta2 = (a2 - Y) / m
    dW2 = np.dot(X.T, delta2) + lam / m * W2
    db2 = np.sum(delta2, axis=0)

    delta1 = np.dot(delta2, W2.T) * a1 * (1 - a1)
    dW1 = np.dot(X.T, delta1) + lam / m * W1
    db1 = np.sum(delta1, axis=0)

    return cost, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
