"""Inverted dropout that keeps only the parameters in its cache and
rebuilds what it needs in the backward pass.
"""
import numpy as np


def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        out = x * mask
    else:
        out = x
    cache = dropout_param
    return out, cache


def dropout_backward(dout, cache):
    dropout_param = cache
    p = dropout_param["p"]
    if dropout_param["mode"] == "train":
        mask = (np.random.rand(*dout.shape) < p) / p
        dx = dout * mask
    else:
        dx = dout
    return dx
