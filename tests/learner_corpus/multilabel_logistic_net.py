"""Multi-label classifier: hidden ReLU layers, one independent sigmoid per output with the
binary cross-entropy averaged over the batch, L2 on the weights."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def bce_loss_and_grads(params, X, Y, spec):
    L = spec.depth
    m = X.shape[0]
    a, cache = X, []
    for l in range(1, L + 1):
        z = a @ params["W%d" % l] + params["b%d" % l]
        cache.append((a, z))
        a = np.maximum(z, 0) if l < L else z
    p = sigmoid(a)

    loss = -np.sum(Y * np.log(p) + (1 - Y) * np.log(1 - p)) / m
    loss += spec.l2 / (2 * m) * sum(np.sum(params["W%d" % l] ** 2) for l in range(1, L + 1))

    grads = {}
    dz = (p - Y) / m
    for l in range(L, 0, -1):
        a_prev, _ = cache[l - 1]
        grads["W%d" % l] = a_prev.T @ dz + spec.l2 / m * params["W%d" % l]
        grads["b%d" % l] = dz.sum(axis=0)
        if l > 1:
            dz = (dz @ params["W%d" % l].T) * (cache[l - 2][1] > 0)
    return loss, grads
