"""Activations in the style of "Deep Learning from Scratch": boolean masks
that are zeroed or scaled in place on copies, and the sigmoid/tanh keep
their output for the backward pass. tanh is built from the sigmoid.
"""
import numpy as np


def relu_forward(x):
    mask = (x <= 0)
    out = x.copy()
    out[mask] = 0
    return out, mask


def relu_backward(dout, cache):
    mask = cache
    dout = dout.copy()
    dout[mask] = 0
    dx = dout
    return dx


def sigmoid_forward(x):
    out = 1 / (1 + np.exp(-x))
    return out, out


def sigmoid_backward(dout, cache):
    out = cache
    dx = dout * (1.0 - out) * out
    return dx


def tanh_forward(x):
    s = 1 / (1 + np.exp(-2 * x))
    out = 2 * s - 1
    return out, out


def tanh_backward(dout, cache):
    out = cache
    dx = dout * (1.0 + out) * (1.0 - out)
    return dx


def leaky_relu_forward(x, alpha=0.01):
    mask = (x <= 0)
    out = x.copy()
    out[mask] *= alpha
    return out, (mask, alpha)


def leaky_relu_backward(dout, cache):
    mask, alpha = cache
    dx = dout.copy()
    dx[mask] *= alpha
    return dx
