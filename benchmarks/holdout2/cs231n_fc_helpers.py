"""Fully-connected net from CS231n-style layer helpers: affine / relu / softmax_loss.

Any depth: (affine - relu) blocks, then a last affine layer whose scores go to a softmax
loss. Targets are one-hot (or soft) rows.
"""
import numpy as np


def affine_forward(x, w, b):
    out = x @ w + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout @ w.T
    dw = x.T @ dout
    db = np.sum(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    out = np.maximum(0, x)
    return out, x


def relu_backward(dout, cache):
    x = cache
    dx = dout * (x > 0)
    return dx


def softmax_loss(x, y):
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    probs = np.exp(log_probs)
    N = x.shape[0]
    loss = -np.sum(y * log_probs) / N
    dx = probs - y
    return loss, dx


def loss_and_grads(params, X, Y, spec):
    num_layers = spec.depth
    N = X.shape[0]
    reg = spec.l2
    caches = []
    out = X
    for i in range(1, num_layers + 1):
        out, fc_cache = affine_forward(out, params['W%d' % i], params['b%d' % i])
        relu_cache = None
        if i < num_layers:
            out, relu_cache = relu_forward(out)
        caches.append((fc_cache, relu_cache))
    scores = out

    data_loss, dscores = softmax_loss(scores, Y)
    reg_loss = 0.0
    for i in range(1, num_layers + 1):
        W = params['W%d' % i]
        reg_loss += 0.5 * reg * np.sum(W * W) / N
    loss = data_loss + reg_loss

    grads = {}
    dout = dscores
    for i in range(num_layers, 0, -1):
        fc_cache, relu_cache = caches[i - 1]
        if relu_cache is not None:
            dout = relu_backward(dout, relu_cache)
        dout, dw, db = affine_backward(dout, fc_cache)
        grads['W%d' % i] = dw + reg * params['W%d' % i] / N
        grads['b%d' % i] = db
    return loss, grads
