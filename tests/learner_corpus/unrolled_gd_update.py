"""Gradient descent on the unrolled parameter vector, as an optimiser wrapper would call it:
theta <- theta - alpha * grad(theta). Theta matrices are unrolled row by row (numpy order).
Sigmoid hidden layers, softmax output with cross-entropy."""
import numpy as np


def unpack(theta, sizes):
    mats, pos = [], 0
    for s_in, s_out in zip(sizes[:-1], sizes[1:]):
        size = s_out * (s_in + 1)
        mats.append(theta[pos:pos + size].reshape(s_out, s_in + 1))
        pos += size
    return mats


def gradient_step(theta, X, Y, spec, alpha):
    mats = unpack(theta, spec.sizes)
    m = len(X)
    a = [X]
    for k, T in enumerate(mats):
        z = a[-1] @ T[:, 1:].T + T[:, 0]
        if k < len(mats) - 1:
            a.append(1 / (1 + np.exp(-z)))
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)

    delta = (p - Y) / m
    grads = [None] * len(mats)
    for k in range(len(mats) - 1, -1, -1):
        T = mats[k]
        g = np.empty_like(T)
        g[:, 0] = delta.sum(axis=0)
        g[:, 1:] = delta.T @ a[k] + spec.l2 / m * T[:, 1:]
        grads[k] = g
        if k > 0:
            delta = (delta @ T[:, 1:]) * a[k] * (1 - a[k])
    return theta - alpha * np.concatenate([g.ravel() for g in grads])
