"""A leaky ReLU whose backward uses another slope for the negatives than its forward."""
import numpy as np


def leaky_relu_forward(x, alpha):
    out = np.where(x > 0, x, alpha * x)
    return out, (x, alpha)


def leaky_relu_backward(dout, cache):
    x, alpha = cache
    dx = dout.copy()
    dx[x <= 0] *= 10 * alpha  # BUG
    return dx
