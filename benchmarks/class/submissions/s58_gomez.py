"""The lecture's two-layer network, written out for exactly two layers."""
import numpy as np


def loss_and_grads(params, X, Y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    scores = h @ W2 + b2
    scores = scores - scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    loss = -np.sum(Y * log_probs) / n + spec.l2 / (2 * n) * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dscores = (np.exp(log_probs) - Y) / n
    dW2 = h.T @ dscores + spec.l2 / n * W2
    db2 = dscores.sum(axis=0)
    dh = dscores @ W2.T
    dz1 = dh * (z1 > 0)
    dW1 = X.T @ dz1 + spec.l2 / n * W1
    db1 = dz1.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
