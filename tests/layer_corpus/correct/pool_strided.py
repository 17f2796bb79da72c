"""Max and average pooling on a zero-copy window view built with
``numpy.lib.stride_tricks.as_strided``; the backward pass loops only over
the offsets inside a window and adds strided slices of the gradient.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def _window_view(x, ph, pw, s):
    N, C, H, W = x.shape
    Ho, Wo = 1 + (H - ph) // s, 1 + (W - pw) // s
    sn, sc, sh, sw = x.strides
    return as_strided(
        x, shape=(N, C, Ho, Wo, ph, pw),
        strides=(sn, sc, sh * s, sw * s, sh, sw), writeable=False,
    )


def max_pool_forward(x, pool_param):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    x = np.ascontiguousarray(x)
    win = _window_view(x, ph, pw, s)
    flat = win.reshape(win.shape[:4] + (ph * pw,))
    idx = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, idx[..., None], axis=-1)[..., 0]
    return out, (x.shape, pool_param, idx)


def max_pool_backward(dout, cache):
    x_shape, pool_param, idx = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    Ho, Wo = dout.shape[2], dout.shape[3]
    dx = np.zeros(x_shape)
    for k in range(ph * pw):
        a, c = divmod(k, pw)
        dx[:, :, a:a + s * (Ho - 1) + 1:s, c:c + s * (Wo - 1) + 1:s] += dout * (idx == k)
    return dx


def avg_pool_forward(x, pool_param):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    x = np.ascontiguousarray(x)
    out = _window_view(x, ph, pw, s).mean(axis=(4, 5))
    return out, (x.shape, pool_param)


def avg_pool_backward(dout, cache):
    x_shape, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    Ho, Wo = dout.shape[2], dout.shape[3]
    dx = np.zeros(x_shape)
    share = dout / (ph * pw)
    for a in range(ph):
        for c in range(pw):
            dx[:, :, a:a + s * (Ho - 1) + 1:s, c:c + s * (Wo - 1) + 1:s] += share
    return dx
