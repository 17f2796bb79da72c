"""A conv pair that logs each call of its forward (a line appended to the file
$CROSSCHECK_CALL_LOG names), so a test can count how often a check calls it: the reference's
conv, and a backward wrong on one element of dw alone (its last, by 1.0)."""

import os

from crosscheck.reference.cnn_layers import conv_backward as _backward
from crosscheck.reference.cnn_layers import conv_forward as _forward


def conv_forward(x, w, b, conv_param):
    with open(os.environ["CROSSCHECK_CALL_LOG"], "a") as log:
        log.write("forward\n")
    return _forward(x, w, b, conv_param)


def conv_backward(dout, cache):
    return _backward(dout, cache)


def conv_backward_one_wrong(dout, cache):
    dx, dw, db = _backward(dout, cache)
    dw = dw.copy()
    dw.flat[-1] += 1.0  # BUG: one element of dw off, every other one right
    return dx, dw, db
