"""Homework 3: backprop for an MLP classifier. Layers in lists, vectorised over the batch."""
import numpy as np


def _act(name, z):
    if name == "relu":
        return np.maximum(z, 0)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    return z


def _act_grad(name, z, a):
    if name == "relu":
        return (z > 0).astype(float)
    if name == "tanh":
        return 1 - a ** 2
    if name == "sigmoid":
        return a * (1 - a)
    return np.ones_like(z)


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    n = X.shape[0]
    zs, acts = [], [X]
    for l in range(1, L + 1):
        z = acts[-1] @ params[f"W{l}"] + params[f"b{l}"]
        zs.append(z)
        acts.append(_act(spec.activations[l - 1], z))
    scores = acts[-1]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -np.sum(Y * log_probs) / n
    loss += spec.l2 / (2 * n) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))

    delta = np.exp(log_probs) - Y
    grads = {}
    for l in range(L, 0, -1):
        dz = delta * _act_grad(spec.activations[l - 1], zs[l - 1], acts[l])
        grads[f"W{l}"] = acts[l - 1].T @ dz + spec.l2 / n * params[f"W{l}"]
        grads[f"b{l}"] = dz.sum(axis=0)
        delta = dz @ params[f"W{l}"].T
    return loss, grads
