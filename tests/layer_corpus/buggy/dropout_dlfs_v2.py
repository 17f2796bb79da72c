"""Dropout in the style of "Deep Learning from Scratch": a boolean keep
mask, a train flag, and the keep probability ``p`` stored in the cache.
"""
import numpy as np


def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    train_flg = dropout_param["mode"] == "train"
    if train_flg:
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        mask = np.random.rand(*x.shape) < p
        out = x * mask / p
    else:
        mask = None
        out = x * p
    return out, (mask, p, train_flg)


def dropout_backward(dout, cache):
    mask, p, train_flg = cache
    if train_flg:
        return dout * mask / p
    return dout
