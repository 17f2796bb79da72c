"""Vectorised backprop over any depth with small helper functions."""
import numpy as np


def forward_act(kind, z):
    if kind == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if kind == "tanh":
        return np.tanh(z)
    if kind == "relu":
        return np.maximum(z, 0.0)
    return z


def backward_act_(kind, grad, z, a):
    """Multiply grad by the activation derivative, in place."""
    if kind == "sigmoid":
        grad *= a * (1.0 - a)
    elif kind == "tanh":
        grad *= 1.0 - a * a
    elif kind == "relu":
        grad *= (z > 0)
    return grad


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    m = X.shape[0]
    zs, acts = [], [X]
    for l in range(1, L + 1):
        z = acts[-1] @ params["W%d" % l] + params["b%d" % l]
        zs.append(z)
        acts.append(forward_act(spec.activations[l - 1], z))
    out = acts[-1]

    if spec.loss == "mse":
        loss = np.mean((out - Y) ** 2)
        grad = out
        grad -= Y
        grad *= 2.0 / out.size
    elif spec.loss == "softmax_cross_entropy":
        s = out - out.max(axis=1, keepdims=True)
        log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        loss = -np.sum(Y * log_p) / m
        grad = np.exp(log_p)
        grad -= Y
        grad /= m
    else:
        loss = np.sum(np.logaddexp(0.0, out) - Y * out) / m
        grad = 1.0 / (1.0 + np.exp(-out))
        grad -= Y
        grad /= m
    loss += spec.l2 / (2 * m) * sum(np.sum(params["W%d" % l] ** 2) for l in range(1, L + 1))

    grads = {}
    for l in range(L, 0, -1):
        grad = backward_act_(spec.activations[l - 1], grad, zs[l - 1], acts[l])
        grads["W%d" % l] = acts[l - 1].T @ grad + spec.l2 / m * params["W%d" % l]
        grads["b%d" % l] = grad.sum(axis=0)
        grad = grad @ params["W%d" % l].T
    return float(loss), grads
