"""A naive max pool whose backward routes the gradient to the wrong element of the window."""
import numpy as np


def max_pool_forward(x, pool_param):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    n, c, h, w = x.shape
    ho, wo = 1 + (h - ph) // s, 1 + (w - pw) // s
    out = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * s:i * s + ph, j * s:j * s + pw]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward(dout, cache):
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    n, c, ho, wo = dout.shape
    dx = np.zeros_like(x)
    for a in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    window = x[a, ch, i * s:i * s + ph, j * s:j * s + pw]
                    r, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[a, ch, i * s + q, j * s + r] += dout[a, ch, i, j]  # BUG
    return dx
