"""ReLU as a pair of functions in the "Deep Learning from Scratch" manner:
the forward keeps a boolean mask of the entries it zeroes, the backward
zeroes the same entries of the upstream gradient.
"""
import numpy as np


def relu_forward(x):
    mask = x < 0
    out = x.copy()
    out[mask] = 0
    return out, mask


def relu_backward(dout, cache):
    mask = cache
    dx = dout.copy()
    dx[mask] = 0
    return dx
