"""Hostile layer pairs that write into what they were given: right answers, but in real code
the caller's array changes (a forward that zeroes its input, a backward that masks dout in
place)."""

import numpy as np


def relu_forward_zeroes_x(x):
    out = np.maximum(0, x)
    x[:] = 0
    return out, out.copy()


def relu_backward(dout, cache):
    return dout * (cache > 0)


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward_masks_dout(dout, cache):
    dout[cache <= 0] = 0
    return dout
