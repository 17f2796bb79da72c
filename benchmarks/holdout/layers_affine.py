"""layers.py from the assignment: affine_forward / affine_backward, inputs of any shape
(N, d_1, ..., d_k) flattened to (N, D)."""
import numpy as np


def affine_forward(x, w, b):
    """Compute out = x.reshape(N, D) @ w + b; cache what backward needs."""
    N = x.shape[0]
    x_row = x.reshape(N, -1)
    out = x_row.dot(w) + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    """Return dx with the shape of x, dw with the shape of w, db with the shape of b."""
    x, w, b = cache
    N = x.shape[0]
    x_row = x.reshape(N, -1)
    dx = dout.dot(w.T)
    dw = x_row.T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db
