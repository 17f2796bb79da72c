"""Vectorised forward/backward with a dict cache (Z1, A1, ...), derivatives looked up by activation name."""
import numpy as np


def forward_activation(Z, name):
    if name == "sigmoid":
        return 1 / (1 + np.exp(-Z))
    if name == "tanh":
        return np.tanh(Z)
    if name == "relu":
        return np.maximum(Z, 0)
    return Z


def derivative(Z, A, name):
    if name == "sigmoid":
        return A * (1 - A)
    if name == "tanh":
        return 1 - np.power(A, 2)
    if name == "relu":
        return np.where(Z > 0, 1.0, 0.0)
    return np.ones_like(Z)


def output_loss(AL, Y, loss):
    m = Y.shape[0]
    if loss == "mse":
        return np.mean((AL - Y) ** 2), 2 * (AL - Y) / AL.size
    if loss == "softmax_cross_entropy":
        s = AL - AL.max(axis=1, keepdims=True)
        logp = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
        return -np.sum(Y * logp) / m, (np.exp(logp) - Y) / m
    return np.sum(np.logaddexp(0, AL) - Y * AL) / m, (1 / (1 + np.exp(-AL)) - Y) / m


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    m = X.shape[0]
    cache = {"A0": X}
    for l in range(1, L + 1):
        cache["Z%d" % l] = cache["A%d" % (l - 1)] @ params["W%d" % l] + params["b%d" % l]
        cache["A%d" % l] = forward_activation(cache["Z%d" % l], spec.activations[l - 1])

    loss, dA = output_loss(cache["A%d" % L], Y, spec.loss)
    loss += (spec.l2 / (2 * m)) * sum(np.sum(np.square(params["W%d" % l])) for l in range(1, L + 1))

    grads = {}
    for l in reversed(range(1, L + 1)):
        W = params["W%d" % l]
        dZ = dA * derivative(cache["Z%d" % l], cache["A%d" % l], spec.activations[l - 1])
        grads["W%d" % l] = cache["A%d" % (l - 1)].T @ dZ + (spec.l2 / m) * W
        grads["b%d" % l] = np.mean(dZ, axis=0)
        dA = dZ @ W.T
    return loss, grads
