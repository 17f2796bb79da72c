"""Word embedding with explicit loops over the batch and the time steps,
copying rows forward and adding rows back.
"""
import numpy as np


def word_embedding_forward(x, W):
    N, T = x.shape
    V, D = W.shape
    out = np.zeros((N, T, D))
    for n in range(N):
        for t in range(T):
            out[n, t, :] = W[x[n, t]]
    return out, (x, V)


def word_embedding_backward(dout, cache):
    x, V = cache
    N, T, D = dout.shape
    dW = np.zeros((V, D))
    for n in range(N):
        for t in range(T):
            dW[x[n, t]] += dout[n, t]
    return dW
