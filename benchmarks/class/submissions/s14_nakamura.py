"""CS231n-style helpers: affine_forward/affine_backward and the nonlinearities return
caches, softmax_loss returns (loss, dscores); loss_and_grads chains them."""
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


def nonlin_forward(x, kind):
    if kind == "relu":
        out = np.maximum(0, x)
    elif kind == "tanh":
        out = np.tanh(x)
    elif kind == "sigmoid":
        out = 1.0 / (1.0 + np.exp(-x))
    else:
        out = x
    return out, (x, out, kind)


def nonlin_backward(dout, cache):
    x, out, kind = cache
    if kind == "relu":
        return dout * (x > 0)
    if kind == "tanh":
        return dout * (1 - out ** 2)
    if kind == "sigmoid":
        return dout * out * (1 - out)
    return dout


def softmax_loss(x, y):
    N = x.shape[0]
    shifted_logits = x - np.max(x, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted_logits), axis=1, keepdims=True)
    log_probs = shifted_logits - np.log(Z)
    probs = np.exp(log_probs)
    loss = -np.sum(y * log_probs) / N
    dx = probs - y
    return loss, dx


def loss_and_grads(params, X, Y, spec):
    num_layers = spec.depth
    N = X.shape[0]
    reg = spec.l2 / N
    out = X
    caches = []
    for i in range(1, num_layers + 1):
        out, fc_cache = affine_forward(out, params["W%d" % i], params["b%d" % i])
        out, nl_cache = nonlin_forward(out, spec.activations[i - 1])
        caches.append((fc_cache, nl_cache))
    loss, dout = softmax_loss(out, Y)
    for i in range(1, num_layers + 1):
        loss += 0.5 * reg * np.sum(params["W%d" % i] * params["W%d" % i])

    grads = {}
    for i in range(num_layers, 0, -1):
        fc_cache, nl_cache = caches[i - 1]
        dout = nonlin_backward(dout, nl_cache)
        dout, dw, db = affine_backward(dout, fc_cache)
        grads["W%d" % i] = dw + spec.l2 * params["W%d" % i]
        grads["b%d" % i] = db
    return loss, grads
