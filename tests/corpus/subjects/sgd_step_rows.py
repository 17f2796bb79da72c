"""Mini-batch SGD step written layer by layer, inputs as rows."""
import numpy as np


def f(kind, z):
    if kind == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if kind == "tanh":
        return np.tanh(z)
    if kind == "relu":
        return np.maximum(z, 0.0)
    return z


def df(kind, z, a):
    if kind == "sigmoid":
        return a * (1.0 - a)
    if kind == "tanh":
        return 1.0 - a * a
    if kind == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


def sgd_step(params, X, Y, spec, lr):
    L = len(spec.sizes) - 1
    m = X.shape[0]
    reg = spec.l2 / m

    acts, pre = [X], []
    for l in range(1, L + 1):
        z = acts[-1] @ params["W%d" % l] + params["b%d" % l]
        pre.append(z)
        acts.append(f(spec.activations[l - 1], z))
    out = acts[-1]

    if spec.loss == "mse":
        grad_out = 2.0 * (out - Y) / out.size
    elif spec.loss == "softmax_cross_entropy":
        e = np.exp(out - out.max(axis=1, keepdims=True))
        grad_out = (e / e.sum(axis=1, keepdims=True) - Y) / m
    else:
        grad_out = (1.0 / (1.0 + np.exp(-out)) - Y) / m

    new = {}
    delta = grad_out * df(spec.activations[-1], pre[-1], acts[-1])
    for l in range(L, 1, -1):
        W = params["W%d" % l]
        new["W%d" % l] = W - lr * (acts[l - 1].T @ delta + reg * W)
        new["b%d" % l] = params["b%d" % l] - lr * delta.sum(axis=0)
        delta = (delta @ W.T) * df(spec.activations[l - 2], pre[l - 2], acts[l - 1])

    # input layer
    x = X.mean(axis=0)
    new["W1"] = params["W1"] - lr * (np.outer(x, delta.sum(axis=0)) + reg * params["W1"])
    new["b1"] = params["b1"] - lr * delta.sum(axis=0)
    return new
