"""A ReLU classifier kept in single precision end to end (float32 arrays in, float32 out),
written for a GPU-less laptop where memory mattered. Softmax cross-entropy on one-hot or
soft target rows, mean over the batch, L2 lambda/(2m) on the weights."""
import numpy as np


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def loss_and_grads(params, X, Y, spec):
    m = np.float32(X.shape[0])
    lam = np.float32(spec.l2)
    L = spec.depth
    pre, post = [], [X]
    for l in range(1, L + 1):
        z = post[-1] @ params["W%d" % l] + params["b%d" % l]
        pre.append(z)
        post.append(np.maximum(z, np.float32(0)) if l < L else z)

    logp = log_softmax(post[-1])
    sq = sum(np.sum(params["W%d" % l] ** 2) for l in range(1, L + 1))
    loss = -np.sum(Y * logp) / m + lam / (2 * m) * sq

    grads = {}
    g = (np.exp(logp) * Y.sum(axis=1, keepdims=True) - Y) / m
    for l in range(L, 0, -1):
        W = params["W%d" % l]
        grads["W%d" % l] = (post[l - 1].T @ g + lam / m * W).astype(np.float32)
        grads["b%d" % l] = g.sum(axis=0).astype(np.float32)
        if l > 1:
            g = (g @ W.T) * (pre[l - 2] > 0)
    return np.float32(loss), grads
