"""Batch gradient for a sigmoid network with a linear output and mean squared error, written
from the per-example formulas dW = outer(a_prev, delta) and averaged over the batch.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def compute_grads(params, X, Y, spec):
    L = spec.depth
    m, k = Y.shape
    A = [X]
    for l in range(1, L + 1):
        Z = A[-1] @ params[f"W{l}"] + params[f"b{l}"]
        A.append(sigmoid(Z) if l < L else Z)
    sq = sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    loss = np.sum((A[-1] - Y) ** 2) / (m * k) + spec.l2 / (2 * m) * sq

    grads = {}
    delta = 2 * (A[-1] - Y) / k          # one row per example
    for l in range(L, 0, -1):
        W = params[f"W{l}"]
        grads[f"W{l}"] = np.outer(A[l - 1].mean(axis=0), delta.mean(axis=0)) + spec.l2 / m * W
        grads[f"b{l}"] = delta.mean(axis=0)
        if l > 1:
            delta = (delta @ W.T) * A[l - 1] * (1 - A[l - 1])
    return loss, grads
