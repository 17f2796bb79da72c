"""A bias-free ReLU classifier (every layer is x @ W) on integer labels, with the loss
summed over the examples rather than averaged, and weight decay lam/2 * sum(W^2).
"""
import numpy as np


def loss_and_grads(params, X, labels, spec):
    L = spec.depth
    lam = spec.l2
    Ws = [params[f"W{i}"] for i in range(1, L + 1)]

    hs, zs = [X], []
    for i, W in enumerate(Ws, start=1):
        z = hs[-1] @ W
        zs.append(z)
        hs.append(np.maximum(z, 0.0) if i < L else z)
    scores = hs[-1]
    scores = scores - scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    rows = np.arange(len(labels))
    loss = -np.sum(log_probs[rows, labels]) + lam / 2 * sum(np.sum(W * W) for W in Ws)

    dscores = np.exp(log_probs)
    dscores[rows, labels] -= 1.0
    grads = {}
    d = dscores
    for i in range(L, 0, -1):
        grads[f"W{i}"] = hs[i - 1].T @ d + lam * Ws[i - 1]
        if i > 1:
            d = (d @ Ws[i - 1].T) * (zs[i - 2] > 0)
    return loss, grads
