"""A float32 two-layer softmax classifier on integer labels, ReLU hidden layer, with the
CS231n-style 0.5 * reg * sum(W * W) penalty. Everything stays float32.
"""
import numpy as np


def loss_and_grads(params, X, y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    reg = np.float32(spec.l2)
    N = X.shape[0]
    C = W2.shape[1]

    a1 = np.maximum(X @ W1 + b1, np.float32(0))
    f = a1 @ W2 + b2
    f = f - f.max(axis=1, keepdims=True)
    logsumexp = np.log(np.exp(f).sum(axis=1, keepdims=True))
    p = np.exp(f - logsumexp)
    loss = -np.mean((f - logsumexp)[np.arange(N), y])
    loss += np.float32(0.5) * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    Y = np.eye(C, dtype=np.float32)[y]
    df = (Y - p) / np.float32(N)
    dW2 = a1.T @ df + reg * W2
    db2 = df.sum(axis=0)
    da1 = df @ W2.T
    da1 = da1 * (a1 > 0)
    dW1 = X.T @ da1 + reg * W1
    db1 = da1.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
