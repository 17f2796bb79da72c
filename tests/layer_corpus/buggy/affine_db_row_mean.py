"""Affine layer with the reductions written with keepdims=True and the
bias gradient taken as the batch mean of the upstream gradient.
"""
import numpy as np


def affine_forward(x, w, b):
    N = x.shape[0]
    out = x.reshape(N, -1).dot(w) + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(N, -1).T.dot(dout)
    db = dout.mean(axis=0, keepdims=True)
    return dx, dw, db
