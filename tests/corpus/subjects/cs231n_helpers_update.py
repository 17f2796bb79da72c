"""CS231n-style helpers (affine/activation forward-backward with caches) driving one plain SGD update."""
import numpy as np


def affine_forward(x, w, b):
    return x.dot(w) + b, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T)
    dw = x.T.dot(dout)
    db = np.sum(dout, axis=0, keepdims=True)
    return dx, dw, db


def nonlinearity_forward(x, kind):
    if kind == "relu":
        out = np.maximum(0, x)
    elif kind == "sigmoid":
        out = 1 / (1 + np.exp(-x))
    elif kind == "tanh":
        out = np.tanh(x)
    else:
        out = x
    return out, (x, out)


def nonlinearity_backward(dout, cache, kind):
    x, out = cache
    if kind == "relu":
        return dout * (x > 0)
    if kind == "sigmoid":
        return dout * out * (1 - out)
    if kind == "tanh":
        return dout * (1 - out ** 2)
    return dout


def loss_grad(scores, Y, kind):
    N = scores.shape[0]
    if kind == "softmax_cross_entropy":
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True) - Y) / N
    if kind == "sigmoid_bce":
        return (1 / (1 + np.exp(-scores)) - Y) / N
    return 2 * (scores - Y) / scores.size


def sgd_step(params, X, Y, spec, lr):
    L = len(spec.sizes) - 1
    N = X.shape[0]
    out = X
    caches = []
    for i in range(1, L + 1):
        out, fc = affine_forward(out, params["W%d" % i], params["b%d" % i])
        out, nl = nonlinearity_forward(out, spec.activations[i - 1])
        caches.append((fc, nl))

    dout = loss_grad(out, Y, spec.loss)
    grads = {}
    for i in range(L, 0, -1):
        fc, nl = caches[i - 1]
        dout = nonlinearity_backward(dout, nl, spec.activations[i - 1])
        dout, dw, db = affine_backward(dout, fc)
        grads["W%d" % i] = dw + spec.l2 / N * params["W%d" % i]
        grads["b%d" % i] = db

    updated = {}
    for name, value in params.items():
        updated[name] = value - lr * grads[name]
    return updated
