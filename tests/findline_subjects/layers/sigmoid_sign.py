"""A sigmoid whose backward has the wrong sign."""
import numpy as np


def sigmoid_forward(x):
    out = 1.0 / (1.0 + np.exp(-x))
    return out, out


def sigmoid_backward(dout, cache):
    out = cache
    local = out * (out - 1.0)  # BUG
    dx = dout * local
    return dx
