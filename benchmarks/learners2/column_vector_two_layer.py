"""Two-layer network written the linear-algebra-textbook way: examples are columns, weights
are (out, in) so that z = W x + b, and the batch is the matrix X^T. Tanh hidden layer, linear
output, quadratic cost C = 1/(2n) sum ||y - a||^2. The wrapper converts from and to the
W (in, out) / b (out,) dicts.
"""
import numpy as np


def backprop_columns(w1, c1, w2, c2, Xc, Yc, lam):
    n = Xc.shape[1]
    z1 = w1 @ Xc + c1
    a1 = np.tanh(z1)
    a2 = w2 @ a1 + c2
    cost = 0.5 * np.sum((a2 - Yc) ** 2) / n + lam / (2 * n) * (np.sum(w1 ** 2) + np.sum(w2 ** 2))
    d2 = (a2 - Yc) / n
    gw2 = d2 @ a1.T + lam / n * w2
    gc2 = d2.sum(axis=1, keepdims=True)
    d1 = (w2.T @ d2) * (1 - a1 ** 2)
    gw1 = d1 @ Xc.T + lam / n * w1
    gc1 = d1.sum(axis=1, keepdims=True)
    return cost, gw1, gc1, gw2, gc2


def loss_and_grads(params, X, Y, spec):
    w1, w2 = params["W1"].T, params["W2"].T
    c1, c2 = params["b1"][:, None], params["b2"][:, None]
    cost, gw1, gc1, gw2, gc2 = backprop_columns(w1, c1, w2, c2, X.T, Y.T, spec.l2)
    grads = {
        "W1": gw1.T,
        "b1": gc1.ravel(),
        "W2": gw2,
        "b2": gc2.ravel(),
    }
    return cost, grads
