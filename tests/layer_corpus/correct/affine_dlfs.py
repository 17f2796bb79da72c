"""Affine layer in the style of "Deep Learning from Scratch" (Saito), with
the Affine class flattened into a pair of functions: the cache is a dict
that remembers the original input shape, like ``self.original_x_shape``.
"""
import numpy as np


def affine_forward(x, w, b):
    original_x_shape = x.shape
    x2 = x.reshape(x.shape[0], -1)
    out = np.dot(x2, w) + b
    cache = {"x": x2, "W": w, "original_x_shape": original_x_shape}
    return out, cache


def affine_backward(dout, cache):
    dx = np.dot(dout, cache["W"].T)
    dW = np.dot(cache["x"].T, dout)
    db = np.sum(dout, axis=0)
    dx = dx.reshape(*cache["original_x_shape"])
    return dx, dW, db
