"""Plain-numpy training loop body: one gradient-descent step of a two-layer tanh network
with a softmax output on integer labels, lr passed in, returning the new weights.
"""
import numpy as np


def train_step(params, X, y, spec, lr):
    W1, b1, W2, b2 = (params[k].copy() for k in ("W1", "b1", "W2", "b2"))
    n = X.shape[0]
    lam = spec.l2

    # forward
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)

    # backward and update, output layer first
    dlogits = probs
    dlogits[np.arange(n), y] -= 1
    dlogits /= n
    dW2 = h.T @ dlogits + lam / n * W2
    db2 = dlogits.sum(axis=0)
    W2 -= lr * dW2
    b2 -= lr * db2

    dh = (dlogits @ W2.T) * (1 - h ** 2)
    dW1 = X.T @ dh + lam / n * W1
    db1 = dh.sum(axis=0)
    W1 -= lr * dW1
    b1 -= lr * db1
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
