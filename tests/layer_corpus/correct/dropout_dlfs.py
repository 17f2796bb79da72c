"""Dropout in the style of "Deep Learning from Scratch": a boolean keep
mask is stored together with the keep probability and the scale is applied
separately, with the random numbers drawn by ``np.random.random_sample``.
"""
import numpy as np


def dropout_forward(x, dropout_param):
    keep = dropout_param["p"]
    train_flg = dropout_param["mode"] == "train"
    if train_flg:
        if dropout_param.get("seed") is not None:
            np.random.seed(dropout_param["seed"])
        keep_mask = np.random.random_sample(x.shape) < keep
        out = x * keep_mask / keep
    else:
        keep_mask = None
        out = x.copy()
    cache = {"mask": keep_mask, "keep": keep, "train": train_flg}
    return out, cache


def dropout_backward(dout, cache):
    if not cache["train"]:
        return dout.copy()
    return dout * cache["mask"] / cache["keep"]
