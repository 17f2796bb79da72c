"""Stochastic-style backprop: loop over the samples of the batch, backprop each one and
average. Sigmoid hidden layers, identity output, mean squared error (mean over every output
of every sample), L2 lambda/(2N) sum W^2."""
import numpy as np


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def batch_gradients(params, X, Y, spec):
    N, K, L = X.shape[0], Y.shape[1], spec.depth
    gW = [np.zeros_like(params[f"W{l}"]) for l in range(1, L + 1)]
    gb = [np.zeros_like(params[f"b{l}"]) for l in range(1, L + 1)]
    sq_err = 0.0
    for x, t in zip(X, Y):
        outs = [x]
        for l in range(1, L + 1):
            v = outs[-1] @ params[f"W{l}"] + params[f"b{l}"]
            outs.append(v if l == L else sigmoid(v))
        e = outs[-1] - t
        sq_err += e @ e
        grad_out = e / (N * K)
        for l in range(L, 0, -1):
            gW[l - 1] += np.outer(outs[l - 1], grad_out)
            gb[l - 1] += grad_out
            grad_out = (params[f"W{l}"] @ grad_out) * outs[l - 1] * (1 - outs[l - 1])
    loss = sq_err / (N * K)
    grads = {}
    for l in range(1, L + 1):
        W = params[f"W{l}"]
        loss += spec.l2 / (2 * N) * np.sum(W ** 2)
        grads[f"W{l}"] = gW[l - 1] + spec.l2 / N * W
        grads[f"b{l}"] = gb[l - 1]
    return loss, grads
