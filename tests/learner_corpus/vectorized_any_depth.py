"""Vectorised backprop for an MLP of any depth: tanh hidden layers, sigmoid outputs trained
with binary cross-entropy on the logits (multi-label). Keeps caches in lists, loops backwards."""
import numpy as np


def forward(params, X, L):
    caches = []
    a = X
    for l in range(1, L + 1):
        z = a @ params[f"W{l}"] + params[f"b{l}"]
        caches.append((a, z))
        a = np.tanh(z) if l < L else z
    return a, caches


def loss_and_grads(params, X, Y, spec):
    L, m = spec.depth, X.shape[0]
    logits, caches = forward(params, X, L)
    loss = np.mean(np.sum(np.logaddexp(0, logits) - Y * logits, axis=1))
    loss += spec.l2 / (2 * m) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))

    grads = {}
    delta = (1 / (1 + np.exp(-logits)) - Y) / m
    for l in range(L, 0, -1):
        a_prev, z = caches[l - 1]
        grads[f"W{l}"] = a_prev.T @ delta + spec.l2 / m * params[f"W{l}"]
        grads[f"b{l}"] = np.mean(delta, axis=0)
        if l > 1:
            delta = (delta @ params[f"W{l}"].T) * (1 - np.tanh(caches[l - 2][1]) ** 2)
    return loss, grads
