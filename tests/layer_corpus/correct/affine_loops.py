"""Affine layer written with explicit Python loops, like the "naive"
reference versions in CS231n: no matrix products, one scalar at a time.
"""
import numpy as np


def affine_forward(x, w, b):
    N = x.shape[0]
    D, M = w.shape
    rows = x.reshape(N, D)
    out = np.zeros((N, M))
    for i in range(N):
        for j in range(M):
            total = b[j]
            for k in range(D):
                total += rows[i, k] * w[k, j]
            out[i, j] = total
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    D, M = w.shape
    rows = x.reshape(N, D)
    drows = np.zeros((N, D))
    dw = np.zeros((D, M))
    db = np.zeros(M)
    for i in range(N):
        for j in range(M):
            g = dout[i, j]
            db[j] += g
            for k in range(D):
                drows[i, k] += g * w[k, j]
                dw[k, j] += g * rows[i, k]
    dx = drows.reshape(x.shape)
    return dx, dw, db
