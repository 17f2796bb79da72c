"""Correct, written per sample: a Python loop over the batch, column vectors, accumulated sums.

Style unlike the reference (which is batched): each sample is propagated alone with
``W.T @ a`` on column vectors, and the gradients are summed and divided by the batch at the end.
"""

import numpy as np


def _act(name, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z


def _act_prime(name, z):
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


def loss_and_grads(params, X, Y, spec):
    L, n = spec.depth, X.shape[0]
    total = 0.0
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    for i in range(n):
        a = [X[i].reshape(-1, 1)]
        zs = []
        for layer in range(1, L + 1):
            z = params[f"W{layer}"].T @ a[-1] + params[f"b{layer}"].reshape(-1, 1)
            zs.append(z)
            a.append(_act(spec.activations[layer - 1], z))
        y = Y[i].reshape(-1, 1)
        out = a[-1]
        if spec.loss == "mse":
            total += float(np.sum((out - y) ** 2)) / Y.shape[1]
            delta = 2.0 * (out - y) / Y.shape[1] * _act_prime(spec.activations[-1], zs[-1])
        elif spec.loss == "softmax_cross_entropy":
            m = out.max()
            logp = out - m - np.log(np.sum(np.exp(out - m)))
            total += float(-np.sum(y * logp))
            delta = np.exp(logp) * np.sum(y) - y
        else:
            total += float(np.sum(np.logaddexp(0.0, out) - y * out))
            delta = 1.0 / (1.0 + np.exp(-out)) - y
        for layer in range(L, 0, -1):
            grads[f"W{layer}"] += a[layer - 1] @ delta.T
            grads[f"b{layer}"] += delta.ravel()
            if layer > 1:
                delta = (params[f"W{layer}"] @ delta) * _act_prime(spec.activations[layer - 2],
                                                                   zs[layer - 2])
    reg = 0.0
    for layer in range(1, L + 1):
        W = params[f"W{layer}"]
        reg += np.sum(W ** 2)
        grads[f"W{layer}"] += spec.l2 * W
    loss = total / n + spec.l2 / (2 * n) * reg
    return loss, {k: g / n for k, g in grads.items()}
