"""Andrew Ng style, rows are examples: forward_propagation fills a cache dict (Z1, A1, ...),
compute_cost, backward_propagation reads it back."""
import numpy as np


def activation(Z, name):
    if name == "relu":
        return np.maximum(0, Z)
    if name == "tanh":
        return np.tanh(Z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-Z))
    return Z


def activation_derivative(Z, A, name):
    if name == "relu":
        return np.where(Z > 0, 1.0, 0.0)
    if name == "tanh":
        return 1 - np.power(A, 2)
    if name == "sigmoid":
        return A * (1 - A)
    return np.ones_like(Z)


def forward_propagation(X, params, spec):
    cache = {"A0": X}
    for l in range(1, spec.depth + 1):
        cache["Z%d" % l] = cache["A%d" % (l - 1)] @ params["W%d" % l] + params["b%d" % l]
        cache["A%d" % l] = activation(cache["Z%d" % l], spec.activations[l - 1])
    return cache


def compute_cost(AL, Y, params, spec):
    m = Y.shape[0]
    shifted = AL - AL.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    cost = -np.sum(Y * logp) / m
    cost += (spec.l2 / (2 * m)) * sum(np.sum(np.square(params["W%d" % l])) for l in range(1, spec.depth + 1))
    return cost, logp


def backward_propagation(cache, logp, Y, params, spec):
    m = Y.shape[0]
    L = spec.depth
    grads = {}
    dA = (np.exp(logp) - Y) / m
    for l in reversed(range(1, L + 1)):
        dZ = dA * activation_derivative(cache["Z%d" % l], cache["A%d" % l], spec.activations[l - 1])
        grads["W%d" % l] = cache["A%d" % (l - 1)].T @ dZ + (spec.l2 / m) * params["W%d" % l]
        grads["b%d" % l] = np.mean(dZ, axis=0)
        dA = dZ @ params["W%d" % l].T
    return grads


def loss_and_grads(params, X, Y, spec):
    cache = forward_propagation(X, params, spec)
    cost, logp = compute_cost(cache["A%d" % spec.depth], Y, params, spec)
    grads = backward_propagation(cache, logp, Y, params, spec)
    return cost, grads
