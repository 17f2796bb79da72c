"""Compact vectorised MLP: the forward pass records (input, pre-activation) per layer on a
tape; the penalty and its gradient are written over the parameter dict.

tanh hidden layers, softmax cross-entropy on the logits (one-hot or soft target rows).
"""
import numpy as np


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def loss_and_grads(params, X, Y, spec):
    L, n, lam = spec.depth, X.shape[0], spec.l2
    tape = []
    h = X
    for l in range(1, L + 1):
        z = h @ params[f"W{l}"] + params[f"b{l}"]
        tape.append((h, z))
        h = np.tanh(z) if l < L else z
    logp = log_softmax(h)

    penalty = sum(np.sum(p ** 2) for p in params.values())
    loss = -np.sum(Y * logp) / n + lam / (2 * n) * penalty

    g = (np.exp(logp) - Y) / n
    grads = {}
    for l in range(L, 0, -1):
        h_in, z = tape[l - 1]
        if l < L:
            g = g * (1 - np.tanh(z) ** 2)
        grads[f"W{l}"] = h_in.T @ g
        grads[f"b{l}"] = g.sum(axis=0)
        g = g @ params[f"W{l}"].T
    for name in params:
        grads[name] = grads[name] + lam / n * params[name]
    return loss, grads
