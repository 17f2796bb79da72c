"""Sigmoid and ReLU written as small vectorised functions around a shared
``sigmoid`` helper.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_forward(x):
    out = sigmoid(x)
    cache = out
    return out, cache


def sigmoid_backward(dout, cache):
    s = sigmoid(cache)
    return dout * s * (1 - s)


def relu_forward(x):
    out = x * (x > 0)
    cache = x
    return out, cache


def relu_backward(dout, cache):
    return dout * (cache > 0)
