"""A tanh whose backward forgets the upstream gradient."""
import numpy as np


def tanh_forward(x):
    out = np.tanh(x)
    cache = out
    return out, cache


def tanh_backward(dout, cache):
    out = cache
    dx = 1.0 - out ** 2  # BUG
    return dx
