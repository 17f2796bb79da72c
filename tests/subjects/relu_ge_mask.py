"""CS231n two-layer net whose ReLU mask is z >= 0: ReLU'(0) = 1, a valid subgradient (differs from
the frameworks only on the relu-ties edge network). Run with --targets labels --loss
softmax_cross_entropy --hidden-activations relu."""

import numpy as np


def loss(params, X, y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    reg = spec.l2 / N
    z = X.dot(W1) + b1
    hidden = np.maximum(0, z)
    scores = hidden.dot(W2) + b2
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    data_loss = -np.sum(log_probs[np.arange(N), y]) / N
    reg_loss = 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    grads = {}
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads["W2"] = hidden.T.dot(dscores) + reg * W2
    grads["b2"] = np.sum(dscores, axis=0)
    dhidden = dscores.dot(W2.T) * (z >= 0)
    grads["W1"] = X.T.dot(dhidden) + reg * W1
    grads["b1"] = np.sum(dhidden, axis=0)
    return data_loss + reg_loss, grads
