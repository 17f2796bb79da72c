"""An affine layer whose dw comes back transposed (a real bug: the caller reads (D, M))."""


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    rows = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape)
    dw = dout.T @ rows  # BUG
    db = dout.sum(axis=0)
    return dx, dw, db
