"""CS231n-style layer helpers (affine/activation forward and backward with caches) and one SGD step."""
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


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    x = cache
    return dout * (x > 0)


def sigmoid_forward(x):
    out = 1 / (1 + np.exp(-x))
    return out, out


def sigmoid_backward(dout, cache):
    out = cache
    return dout * out * (1 - out)


def tanh_forward(x):
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    return dout * (1 - cache ** 2)


def identity_forward(x):
    return x, None


def identity_backward(dout, cache):
    return dout


ACT = {
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "identity": (identity_forward, identity_backward),
}


def softmax_loss(x, y):
    N = x.shape[0]
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.sum(y * log_probs) / N
    dx = (np.exp(log_probs) - y) / N
    return loss, dx


def sigmoid_bce_loss(x, y):
    N = x.shape[0]
    loss = np.sum(np.logaddexp(0, x) - y * x) / N
    dx = (1 / (1 + np.exp(-x)) - y) / N
    return loss, dx


def mse_loss(x, y):
    loss = np.mean((x - y) ** 2)
    dx = 2 * (x - y) / x.size
    return loss, dx


LOSSES = {"softmax_cross_entropy": softmax_loss, "sigmoid_bce": sigmoid_bce_loss, "mse": mse_loss}


def sgd_step(params, X, Y, spec, lr):
    num_layers = len(spec.sizes) - 1
    N = X.shape[0]
    reg = spec.l2 / N

    out = X
    caches = []
    for i in range(1, num_layers + 1):
        out, fc_cache = affine_forward(out, params["W%d" % i], params["b%d" % i])
        out, act_cache = ACT[spec.activations[i - 1]][0](out)
        caches.append((fc_cache, act_cache))

    loss, dout = LOSSES[spec.loss](out, Y)

    grads = {}
    for i in range(num_layers, 0, -1):
        fc_cache, act_cache = caches[i - 1]
        dout = ACT[spec.activations[i - 1]][1](dout, act_cache)
        dout, dw, db = affine_backward(dout, fc_cache)
        grads["W%d" % i] = dw + reg * params["W%d" % i]
        grads["b%d" % i] = db

    new_params = {}
    for k, v in params.items():
        new_params[k] = v - lr * grads[k]
    return new_params
