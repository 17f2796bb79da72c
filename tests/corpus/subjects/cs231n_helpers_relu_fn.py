"""CS231n-style helpers: affine_forward/backward, activation forward/backward with caches, a loss layer."""
import numpy as np


def affine_forward(x, w, b):
    out = np.dot(x, w) + b
    return out, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return np.dot(dout, w.T), np.dot(x.T, dout), np.sum(dout, axis=0)


def relu_derivative(x):
    d = np.array(x, copy=True)
    d[x > 0] = 1
    return d


def act_forward(x, kind):
    if kind == "relu":
        return np.maximum(0, x), x
    if kind == "sigmoid":
        s = 1 / (1 + np.exp(-x))
        return s, s
    if kind == "tanh":
        t = np.tanh(x)
        return t, t
    return x, None


def act_backward(dout, cache, kind):
    if kind == "relu":
        return dout * relu_derivative(cache)
    if kind == "sigmoid":
        return dout * cache * (1 - cache)
    if kind == "tanh":
        return dout * (1 - cache ** 2)
    return dout


def loss_layer(scores, Y, kind):
    N = scores.shape[0]
    if kind == "softmax_cross_entropy":
        shifted = scores - np.max(scores, axis=1, keepdims=True)
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        return -np.sum(Y * log_probs) / N, (np.exp(log_probs) - Y) / N
    if kind == "sigmoid_bce":
        loss = np.sum(np.logaddexp(0, scores) - Y * scores) / N
        return loss, (1 / (1 + np.exp(-scores)) - Y) / N
    return np.mean((scores - Y) ** 2), 2 * (scores - Y) / scores.size


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    N = X.shape[0]
    caches = []
    out = X
    for i in range(1, L + 1):
        out, fc_cache = affine_forward(out, params["W%d" % i], params["b%d" % i])
        out, act_cache = act_forward(out, spec.activations[i - 1])
        caches.append((fc_cache, act_cache))

    loss, dout = loss_layer(out, Y, spec.loss)
    loss += 0.5 * spec.l2 / N * sum(np.sum(params["W%d" % i] ** 2) for i in range(1, L + 1))

    grads = {}
    for i in range(L, 0, -1):
        fc_cache, act_cache = caches[i - 1]
        dout = act_backward(dout, act_cache, spec.activations[i - 1])
        dout, dw, db = affine_backward(dout, fc_cache)
        grads["W%d" % i] = dw + spec.l2 / N * params["W%d" % i]
        grads["b%d" % i] = db
    return loss, grads
