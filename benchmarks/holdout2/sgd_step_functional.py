"""One plain SGD step for a ReLU hidden layer + softmax classifier, written out by hand.

Forward, backward, update: params in, new params out (the caller's arrays are left alone).
"""
import numpy as np


def softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sgd_step(params, X, Y, spec, lr):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    lam = spec.l2

    # forward
    h_pre = X @ W1 + b1
    h = np.maximum(h_pre, 0)
    scores = h @ W2 + b2
    probs = softmax(scores)

    # output layer: gradient, then its step
    dscores = (probs - Y) / N
    dW2 = h.T @ dscores + lam / N * W2
    db2 = dscores.sum(axis=0)
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2

    # hidden layer
    dh = dscores @ W2.T
    dh[h_pre <= 0] = 0
    dW1 = X.T @ dh + lam / N * W1
    db1 = dh.sum(axis=0)
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1

    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
