"""Leaky ReLU with a slope table: 1 on the non-negative side, alpha on the
negative side, the same table used forward and backward.
"""
import numpy as np


def leaky_relu_forward(x, alpha=0.01):
    slope = np.where(x >= 0, 1.0, alpha)
    out = x * slope
    return out, (slope,)


def leaky_relu_backward(dout, cache):
    (slope,) = cache
    dx = dout * slope
    return dx
