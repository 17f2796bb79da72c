"""Layer pairs that differ from the frameworks only in a convention, or by bugs that hide
behind one (tests/test_layer_conventions.py): ReLU'(0), tied pooling maxima, dropout's p,
input ranks, a backward's own errors, a gradient returned in another shape."""

import numpy as np
from crosscheck.reference import cnn_layers as R


def relu_forward(x):
    return np.maximum(x, 0), x


def relu_ge_backward(dout, x):  # ReLU'(0) = 1: a valid subgradient
    return dout * (x >= 0)


def relu_two_backward(dout, x):  # ReLU'(0) = 2: no subgradient of ReLU
    return dout * np.where(x > 0, 1.0, np.where(x == 0, 2.0, 0.0))


def max_pool_forward(x, pool_param):
    return R.max_pool_forward(x, pool_param)[0], (x, pool_param)


def _route(x, pool_param, dout, share):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros_like(x)
    n, c, ho, wo = dout.shape
    for i in range(ho):
        for j in range(wo):
            win = x[:, :, i * s:i * s + ph, j * s:j * s + pw]
            top = (win == win.max(axis=(2, 3), keepdims=True)).astype(float)
            if share:
                top /= top.sum(axis=(2, 3), keepdims=True)
            dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += top * dout[:, :, i:i + 1, j:j + 1]
    return dx


def max_pool_split_backward(dout, cache):  # tied maxima share the gradient evenly
    return _route(*cache, dout, share=True)


def max_pool_each_backward(dout, cache):  # every tied maximum gets all of it: not a subgradient
    return _route(*cache, dout, share=False)


def dropout_drop_forward(x, dropout_param):  # p is the drop probability (2016-17 handouts)
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x, None
    mask = (np.random.default_rng(dropout_param["seed"]).random(x.shape) >= p) / (1 - p)
    return x * mask, mask


def dropout_2d_forward(x, dropout_param):  # a mask drawn for (N, D) input only
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x, None
    mask = (np.random.default_rng(dropout_param["seed"]).random(x.shape[:2]) < p) / p
    return x * mask, mask


def dropout_backward(dout, mask):
    return dout if mask is None else dout * mask


def conv_forward_naive(x, w, b, conv_param):
    return R.conv_forward(x, w, b, conv_param)


def conv_backward_naive(dout, cache):  # one row short
    dx, dw, db = R.conv_backward(dout, cache)
    return dx[:, :, :-1], dw, db


def affine_forward(x, w, b):
    return R.affine_forward(x, w, b)


def affine_db_row_backward(dout, cache):  # db as (1, M), and twice too large
    dx, dw, db = R.affine_backward(dout, cache)
    return dx, dw, 2 * db[None, :]
