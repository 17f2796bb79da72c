"""Max pooling written with plain Python loops: each window is scanned in
row-major order, remembering where its maximum is, and the backward pass
routes the gradient to that remembered position.
"""
import numpy as np


def max_pool_forward(x, pool_param):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    Ho, Wo = (H - ph) // s + 1, (W - pw) // s + 1
    out = np.zeros((N, C, Ho, Wo))
    argmax = np.zeros((N, C, Ho, Wo, 2), dtype=int)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best, where = -np.inf, (0, 0)
                    for a in range(ph):
                        for b in range(pw):
                            v = x[n, c, i * s + a, j * s + b]
                            if v >= best:
                                best, where = v, (i * s + a, j * s + b)
                    out[n, c, i, j] = best
                    argmax[n, c, i, j] = where
    return out, (x.shape, argmax)


def max_pool_backward(dout, cache):
    x_shape, argmax = cache
    N, C, Ho, Wo = dout.shape
    dx = np.zeros(x_shape)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, q = argmax[n, c, i, j]
                    dx[n, c, r, q] += dout[n, c, i, j]
    return dx
