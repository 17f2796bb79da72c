"""CS231n-style modular layers: affine_forward/affine_backward with cache tuples, losses return (loss, dx)."""
import numpy as np


def affine_forward(x, w, b):
    out = x.dot(w) + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T)
    dw = x.T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def activation_forward(x, kind):
    if kind == "relu":
        out = np.maximum(0, x)
    elif kind == "sigmoid":
        out = 1 / (1 + np.exp(-x))
    elif kind == "tanh":
        out = np.tanh(x)
    else:
        out = x
    return out, (x, out, kind)


def activation_backward(dout, cache):
    x, out, kind = cache
    if kind == "relu":
        return dout * (x > 0)
    if kind == "sigmoid":
        return dout * out * (1 - out)
    if kind == "tanh":
        return dout * (1 - out ** 2)
    return dout


def softmax_loss(x, y):
    N = x.shape[0]
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    probs = np.exp(log_probs)
    loss = -np.sum(y * log_probs) / N
    dx = probs - y
    return loss, dx


def sigmoid_cross_entropy_loss(x, y):
    N = x.shape[0]
    loss = np.sum(np.logaddexp(0, x) - y * x) / N
    dx = 1 / (1 + np.exp(-x)) - y
    return loss, dx


def mse_loss(x, y):
    loss = np.mean((x - y) ** 2)
    dx = 2 * (x - y) / x.shape[1]
    return loss, dx


def loss_and_grads(params, X, Y, spec):
    num_layers = len(spec.sizes) - 1
    N = X.shape[0]
    reg = spec.l2

    caches = []
    out = X
    for i in range(1, num_layers + 1):
        out, fc_cache = affine_forward(out, params["W%d" % i], params["b%d" % i])
        out, act_cache = activation_forward(out, spec.activations[i - 1])
        caches.append((fc_cache, act_cache))

    if spec.loss == "softmax_cross_entropy":
        loss, dout = softmax_loss(out, Y)
    elif spec.loss == "sigmoid_bce":
        loss, dout = sigmoid_cross_entropy_loss(out, Y)
    else:
        loss, dout = mse_loss(out, Y)

    for i in range(1, num_layers + 1):
        W = params["W%d" % i]
        loss += 0.5 * reg * np.sum(W * W) / N

    grads = {}
    for i in range(num_layers, 0, -1):
        fc_cache, act_cache = caches[i - 1]
        dout = activation_backward(dout, act_cache)
        dout, dw, db = affine_backward(dout, fc_cache)
        grads["W%d" % i] = dw + reg * params["W%d" % i]
        grads["b%d" % i] = db
    return loss, grads
