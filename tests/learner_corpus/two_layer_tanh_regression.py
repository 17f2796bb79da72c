"""Two-layer regression network, derived on paper first and then coded for a whole batch.
Tanh hidden layer, linear output, mean squared error, L2 on the weights."""
import numpy as np


def forward_backward(params, X, Y, spec):
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    m = X.shape[0]
    lam = spec.l2

    z1 = X @ W1 + b1
    a1 = np.tanh(z1)
    out = a1 @ W2 + b2

    diff = out - Y
    loss = np.mean(diff ** 2) + lam / (2 * m) * (np.sum(W1 ** 2) + np.sum(W2 ** 2))

    delta2 = 2 * diff / diff.size
    grads = {}
    grads["W2"] = np.dot(delta2.T, a1).reshape(W2.shape) + lam / m * W2
    grads["b2"] = delta2.sum(axis=0)

    delta1 = (delta2 @ W2.T) * (1 - a1 ** 2)
    grads["W1"] = X.T @ delta1 + lam / m * W1
    grads["b1"] = delta1.sum(axis=0)
    return loss, grads
