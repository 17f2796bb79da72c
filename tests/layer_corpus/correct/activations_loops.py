"""Element-wise activations written as explicit loops over the flattened
array with the ``math`` module, one scalar at a time (naive style).
"""
import math

import numpy as np


def relu_forward(x):
    flat = x.reshape(-1)
    out = np.empty_like(flat, dtype=float)
    for i in range(flat.size):
        out[i] = flat[i] if flat[i] > 0 else 0.0
    return out.reshape(x.shape), x


def relu_backward(dout, cache):
    x = cache
    xf, gf = x.reshape(-1), dout.reshape(-1)
    dx = np.empty_like(gf, dtype=float)
    for i in range(xf.size):
        dx[i] = gf[i] if xf[i] > 0 else 0.0
    return dx.reshape(x.shape)


def _sigmoid(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def sigmoid_forward(x):
    flat = x.reshape(-1)
    out = np.empty_like(flat, dtype=float)
    for i in range(flat.size):
        out[i] = _sigmoid(flat[i])
    out = out.reshape(x.shape)
    return out, out


def sigmoid_backward(dout, cache):
    out = cache
    of, gf = out.reshape(-1), dout.reshape(-1)
    dx = np.empty_like(gf, dtype=float)
    for i in range(of.size):
        dx[i] = gf[i] * of[i] * (1.0 - of[i])
    return dx.reshape(out.shape)


def tanh_forward(x):
    flat = x.reshape(-1)
    out = np.empty_like(flat, dtype=float)
    for i in range(flat.size):
        out[i] = math.tanh(flat[i])
    out = out.reshape(x.shape)
    return out, out


def tanh_backward(dout, cache):
    out = cache
    of, gf = out.reshape(-1), dout.reshape(-1)
    dx = np.empty_like(gf, dtype=float)
    for i in range(of.size):
        dx[i] = gf[i] * (1.0 - of[i] * of[i])
    return dx.reshape(out.shape)


def leaky_relu_forward(x, alpha=0.01):
    flat = x.reshape(-1)
    out = np.empty_like(flat, dtype=float)
    for i in range(flat.size):
        out[i] = flat[i] if flat[i] > 0 else alpha * flat[i]
    return out.reshape(x.shape), (x, alpha)


def leaky_relu_backward(dout, cache):
    x, alpha = cache
    xf, gf = x.reshape(-1), dout.reshape(-1)
    dx = np.empty_like(gf, dtype=float)
    for i in range(xf.size):
        dx[i] = gf[i] if xf[i] > 0 else alpha * gf[i]
    return dx.reshape(x.shape)
