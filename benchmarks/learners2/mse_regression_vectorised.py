"""Fully vectorised regression network of any depth: tanh hidden layers, linear output and
the mean squared error np.mean((y_hat - y)**2), with L2 weight decay lam/(2m) sum W^2.
"""
import numpy as np


def loss_and_grads(params, X, Y, spec):
    depth = spec.depth
    m = X.shape[0]
    lam = spec.l2
    outs = [X]
    for i in range(1, depth + 1):
        pre = outs[-1] @ params["W%d" % i] + params["b%d" % i]
        outs.append(np.tanh(pre) if i < depth else pre)
    y_hat = outs[-1]
    reg = lam / (2 * m) * sum(np.sum(params["W%d" % i] ** 2) for i in range(1, depth + 1))
    loss = np.mean((y_hat - Y) ** 2) + reg

    grads = {}
    g = y_hat - Y
    for i in range(depth, 0, -1):
        W = params["W%d" % i]
        grads["W%d" % i] = outs[i - 1].T @ g + lam / m * W
        grads["b%d" % i] = g.sum(axis=0)
        if i > 1:
            g = (g @ W.T) * (1 - outs[i - 1] ** 2)
    return loss, grads
