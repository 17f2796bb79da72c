"""Affine layer with every reduction written with keepdims=True, so the
bias gradient comes back as a row like the bias broadcast in the forward.
"""
import numpy as np


def affine_forward(x, w, b):
    x_flat = x.reshape(x.shape[0], -1)
    out = x_flat @ w + b
    cache = (x, w)
    return out, cache


def affine_backward(dout, cache):
    x, w = cache
    x_flat = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x_flat.T @ dout
    db = np.sum(dout, axis=0, keepdims=True)
    return dx, dw, db
