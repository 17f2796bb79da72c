"""Affine and ReLU layers in the style of "Deep Learning from Scratch",
with the Affine and Relu classes flattened into function pairs.
"""
import numpy as np


def affine_forward(x, w, b):
    original_x_shape = x.shape
    x2 = x.reshape(x.shape[0], -1)
    out = np.dot(x2, w) + b
    return out, (x2, w, original_x_shape)


def affine_backward(dout, cache):
    x2, w, original_x_shape = cache
    dx = np.dot(dout, w.T).reshape(*original_x_shape)
    dW = np.dot(x2.T, dout)
    db = np.mean(dout, axis=0)
    return dx, dW, db


def relu_forward(x):
    mask = (x <= 0)
    out = x.copy()
    out[mask] = 0
    return out, mask


def relu_backward(dout, cache):
    mask = cache
    dx = dout.copy()
    dx[mask] = 0
    return dx
