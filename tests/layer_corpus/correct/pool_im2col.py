"""Max and average pooling through im2col in the style of the "Deep
Learning from Scratch" Pooling layer: each row of the unrolled matrix is
one window of one channel, the max is an ``argmax`` over the row, and the
backward pass writes into a one-row-per-window matrix folded by col2im.
"""
import numpy as np


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]
    return img[:, :, pad:H + pad, pad:W + pad]


def _windows(x, pool_h, pool_w, stride):
    N, C, H, W = x.shape
    out_h = 1 + (H - pool_h) // stride
    out_w = 1 + (W - pool_w) // stride
    col = im2col(x, pool_h, pool_w, stride, 0)
    col = col.reshape(-1, pool_h * pool_w)
    return col, out_h, out_w


def max_pool_forward(x, pool_param):
    pool_h, pool_w, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    col, out_h, out_w = _windows(x, pool_h, pool_w, stride)
    arg_max = np.argmax(col, axis=1)
    out = np.max(col, axis=1)
    out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)
    cache = (x.shape, pool_param, arg_max)
    return out, cache


def max_pool_backward(dout, cache):
    x_shape, pool_param, arg_max = cache
    pool_h, pool_w, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dout = dout.transpose(0, 2, 3, 1)
    pool_size = pool_h * pool_w
    dmax = np.zeros((dout.size, pool_size))
    dmax[np.arange(arg_max.size), arg_max.flatten()] = dout.flatten()
    dmax = dmax.reshape(dout.shape + (pool_size,))
    dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
    dx = col2im(dcol, x_shape, pool_h, pool_w, stride, 0)
    return dx


def avg_pool_forward(x, pool_param):
    pool_h, pool_w, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    col, out_h, out_w = _windows(x, pool_h, pool_w, stride)
    out = np.mean(col, axis=1)
    out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)
    cache = (x.shape, pool_param)
    return out, cache


def avg_pool_backward(dout, cache):
    x_shape, pool_param = cache
    pool_h, pool_w, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dout = dout.transpose(0, 2, 3, 1)
    pool_size = pool_h * pool_w
    davg = np.repeat(dout.reshape(-1, 1) / pool_size, pool_size, axis=1)
    dcol = davg.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
    dx = col2im(dcol, x_shape, pool_h, pool_w, stride, 0)
    return dx
