"""Inverted dropout (p = keep probability) written for the fully connected
layers of the assignment: the mask is drawn for an (N, D) batch.
"""
import numpy as np


def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    if mode == "train":
        N, D = x.shape
        mask = (np.random.rand(N, D) < p) / p
        out = x * mask
    else:
        mask = None
        out = x
    return out, (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return dout * mask
    return dout
