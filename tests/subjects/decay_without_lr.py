"""An SGD step whose weight decay skips the learning rate: W * (1 - l2/batch) - lr * dW
(the data gradient only), where W - lr * (dW + l2/batch * W) is meant. Right at l2 = 0."""
import numpy as np


def sgd_step(params, X, Y, spec, lr):
    n = X.shape[0]
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.tanh(z1)
    out = a1 @ params["W2"] + params["b2"]
    d2 = 2 * (out - Y) / out.size
    d1 = (d2 @ params["W2"].T) * (1 - a1 ** 2)
    grads = {"W2": a1.T @ d2, "b2": d2.sum(axis=0), "W1": X.T @ d1, "b1": d1.sum(axis=0)}
    new = {}
    for k, g in grads.items():
        kept = params[k] * (1 - spec.l2 / n) if k.startswith("W") else params[k]
        new[k] = kept - lr * g
    return new
