"""Course-style implementation with examples in columns: A has shape (n_units, m) and the
weights are used as (n_out, n_in), so the xw parameters are transposed on the way in.

Sigmoid hidden layers; sigmoid cross-entropy on the output logits.
"""
import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def sigmoid_backward(dA, Z):
    s = sigmoid(Z)
    return dA * s * (1 - s)


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    m = X.shape[0]
    W = {l: params["W" + str(l)].T for l in range(1, L + 1)}  # (n_l, n_{l-1})
    b = {l: params["b" + str(l)].reshape(-1, 1) for l in range(1, L + 1)}
    A = {0: X.T}
    Z = {}
    for l in range(1, L + 1):
        Z[l] = W[l] @ A[l - 1] + b[l]
        A[l] = sigmoid(Z[l]) if l < L else Z[l]
    Yt = Y.T
    ZL = Z[L]
    cost = np.sum(np.logaddexp(0, ZL) - Yt * ZL) / m
    cost += spec.l2 / (2 * m) * sum(np.sum(W[l] ** 2) for l in range(1, L + 1))

    grads = {}
    dZ = (sigmoid(ZL) - Yt) / m
    for l in range(L, 0, -1):
        dW = dZ @ A[l - 1].T + spec.l2 / m * W[l]
        db = np.sum(dZ, axis=1)
        if l > 1:
            dZ = sigmoid_backward(W[l].T @ dZ, Z[l - 1])
        grads["W" + str(l)] = dW.reshape(params["W" + str(l)].shape)
        grads["b" + str(l)] = db
    return cost, grads
