"""Word embedding as a product with a one-hot matrix: the lookup is
``onehot @ W`` and the weight gradient is ``onehot.T @ dout``.
"""
import numpy as np


def word_embedding_forward(x, W):
    V, D = W.shape
    flat = x.reshape(-1)
    onehot = np.zeros((flat.size, V))
    onehot[np.arange(flat.size), flat] = 1.0
    out = onehot.dot(W).reshape(x.shape + (D,))
    return out, (onehot, D)


def word_embedding_backward(dout, cache):
    onehot, D = cache
    dW = onehot.T.dot(dout.reshape(-1, D))
    return dW
