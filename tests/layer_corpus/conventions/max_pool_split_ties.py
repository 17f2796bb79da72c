"""Max pooling with loops over output positions, vectorised over batch and
channels; the backward pass shares each window's gradient among the
positions that attain the window's maximum.
"""
import numpy as np


def max_pool_forward(x, pool_param):
    HH, WW = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    N, C, H, W = x.shape
    H_out = 1 + (H - HH) // stride
    W_out = 1 + (W - WW) // stride
    out = np.zeros((N, C, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            region = x[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = region.max(axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward(dout, cache):
    x, pool_param = cache
    HH, WW = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    _, _, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for i in range(H_out):
        for j in range(W_out):
            region = x[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            is_max = region == region.max(axis=(2, 3), keepdims=True)
            share = is_max / is_max.sum(axis=(2, 3), keepdims=True)
            dx[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += (
                share * dout[:, :, i, j][:, :, None, None])
    return dx
