"""Dropout forward/backward; p is the probability of keeping a unit, the mask is drawn from a
Generator seeded with dropout_param["seed"]; test mode passes x through."""
import numpy as np


def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param.get("mode", "train")
    mask = None
    if mode == "train":
        rng = np.random.default_rng(dropout_param.get("seed"))
        mask = rng.random(x.shape) < p
        out = x * mask
    else:
        out = x.copy()
    cache = (dropout_param, mask)
    return out, cache


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param.get("mode", "train") == "train":
        dx = dout * mask
    else:
        dx = dout
    return dx
