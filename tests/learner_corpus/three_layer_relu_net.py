"""Three-layer fully-connected ReLU net (affine-relu-affine-relu-affine-softmax), written out
layer by layer with explicit names instead of a loop. Targets are rows (one-hot or soft)."""
import numpy as np


def three_layer_net(params, X, Y, spec):
    W1, b1, W2, b2, W3, b3 = [params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3")]
    n = X.shape[0]
    lam = spec.l2

    h1_in = X @ W1 + b1
    h1 = np.maximum(h1_in, 0)
    h2_in = h1 @ W2 + b2
    h2 = np.maximum(h2_in, 0)
    scores = h2 @ W3 + b3

    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.sum(Y * log_p) / n
    loss += lam / (2 * n) * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2))

    d_scores = (np.exp(log_p) - Y) / n
    dW3 = h2.T @ d_scores + lam / n * W3
    db3 = d_scores.sum(0)

    d_h2 = (d_scores @ W3.T) * (h2_in > 0)
    dW2 = X.T @ d_h2 + lam / n * W2
    db2 = d_h2.sum(0)

    d_h1 = (d_h2 @ W2.T) * (h1_in > 0)
    dW1 = X.T @ d_h1 + lam / n * W1
    db1 = d_h1.sum(0)

    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}
