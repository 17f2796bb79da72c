"""Vectorised MLP: one loop forward, one loop backward, activations and pre-activations kept in lists."""
import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _act(name, z):
    if name == "identity":
        return z
    if name == "sigmoid":
        return _sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(0.0, z)
    raise ValueError("unknown activation " + name)


def _act_grad(name, z, a):
    if name == "identity":
        return np.ones_like(z)
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a ** 2
    if name == "relu":
        return (z > 0).astype(z.dtype)
    raise ValueError("unknown activation " + name)


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    m = X.shape[0]

    A = [X]
    Z = []
    for l in range(1, L + 1):
        z = A[-1] @ params[f"W{l}"] + params[f"b{l}"]
        Z.append(z)
        A.append(_act(spec.activations[l - 1], z))
    out = A[-1]

    if spec.loss == "mse":
        loss = np.mean((out - Y) ** 2)
        dA = 2.0 * (out - Y) / out.size
    elif spec.loss == "softmax_cross_entropy":
        shifted = out - out.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -np.sum(Y * logp) / m
        dA = (np.exp(logp) - Y) / m
    elif spec.loss == "sigmoid_bce":
        loss = np.sum(np.logaddexp(0.0, out) - Y * out) / m
        dA = (_sigmoid(out) - Y) / m
    else:
        raise ValueError(spec.loss)

    loss += spec.l2 / (2 * m) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))

    grads = {}
    for l in range(L, 0, -1):
        W = params[f"W{l}"]
        dZ = dA * _act_grad(spec.activations[l - 1], Z[l - 1], A[l])
        grads[f"W{l}"] = A[l - 1].T @ dZ + (spec.l2 / m) * W
        grads[f"b{l}"] = dZ.sum(axis=0)
        dA = dZ @ W.T
    return float(loss), grads
