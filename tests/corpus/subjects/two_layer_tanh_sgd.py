"""Two-layer classifier (tanh hidden layer, softmax output) trained by a hand-rolled SGD step."""
import numpy as np


def sgd_step(params, X, Y, spec, lr):
    W1 = params["W1"].copy()
    b1 = params["b1"].copy()
    W2 = params["W2"].copy()
    b2 = params["b2"].copy()
    N = X.shape[0]
    reg = spec.l2

    # forward
    h = np.tanh(X.dot(W1) + b1)
    scores = h.dot(W2) + b2
    scores -= scores.max(axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(axis=1, keepdims=True)

    # output layer
    dscores = (probs - Y) / N
    dW2 = h.T.dot(dscores) + reg / N * W2
    db2 = dscores.sum(axis=0)
    W2 -= lr * dW2
    b2 -= lr * db2

    # hidden layer
    dh = dscores.dot(W2.T)
    dz1 = dh * (1 - h ** 2)
    dW1 = X.T.dot(dz1) + reg / N * W1
    db1 = dz1.sum(axis=0)
    W1 -= lr * dW1
    b1 -= lr * db1

    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
