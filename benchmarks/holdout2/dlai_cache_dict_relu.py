"""deeplearning.ai-style L-layer model: helper functions, a cache dict and a grads dict.

[LINEAR -> RELU] x (L-1) -> LINEAR, sigmoid cross-entropy on the last linear output,
and L2 regularisation of the weights.
"""
import numpy as np


def linear_activation_forward(A_prev, W, b, activation):
    Z = A_prev @ W + b
    A = np.maximum(0, Z) if activation == "relu" else Z
    return A, Z


def linear_backward(dZ, A_prev, W):
    dW = A_prev.T @ dZ
    db = np.sum(dZ, axis=0)
    dA_prev = dZ @ W.T
    return dA_prev, dW, db


def compute_cost(ZL, Y):
    m = Y.shape[0]
    return np.sum(np.maximum(ZL, 0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL)))) / m


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    m = X.shape[0]
    lambd = spec.l2
    cache = {"A0": X}
    for l in range(1, L + 1):
        act = "relu" if l < L else "linear"
        cache[f"A{l}"], cache[f"Z{l}"] = linear_activation_forward(
            cache[f"A{l - 1}"], params[f"W{l}"], params[f"b{l}"], act)
    ZL = cache[f"Z{L}"]

    cost = compute_cost(ZL, Y)
    L2_cost = lambd / (2 * m) * sum(np.sum(np.square(params[f"W{l}"])) for l in range(1, L + 1))
    cost = cost + L2_cost

    grads = {}
    dZ = (1 / (1 + np.exp(-ZL)) - Y) / m
    for l in reversed(range(1, L + 1)):
        if l < L:
            dZ = grads[f"dA{l}"] * (cache[f"Z{l}"] > 0)
        grads[f"dA{l - 1}"], dW, db = linear_backward(dZ, cache[f"A{l - 1}"], params[f"W{l}"])
        grads[f"W{l}"] = dW + lambd / (2 * m) * params[f"W{l}"]
        grads[f"b{l}"] = db
    return cost, {k: v for k, v in grads.items() if not k.startswith("dA")}
