"""Two-layer fully-connected classifier, written after CS231n assignment 1 (TwoLayerNet.loss).

Architecture: input - fully connected - ReLU - fully connected - softmax.
Labels y are integers in [0, C). The regularisation is 0.5 * reg * sum(W * W).
"""
import numpy as np


def two_layer_net_loss(params, X, y, spec):
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    reg = spec.l2
    N, D = X.shape

    # forward pass
    hidden = np.maximum(0, X.dot(W1) + b1)
    scores = hidden.dot(W2) + b2

    # softmax loss
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(shifted)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(exp_scores, axis=1, keepdims=True))
    data_loss = -np.sum(log_probs[np.arange(N), y]) / N
    reg_loss = 0.5 * reg * np.sum(W1 * W1) + 0.5 * reg * np.sum(W2 * W2)
    loss = data_loss + reg_loss

    # backward pass
    grads = {}
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N

    grads["W2"] = hidden.T.dot(dscores) + reg * W2
    grads["b2"] = np.sum(dscores, axis=0)

    dhidden = dscores.dot(W2.T)
    dhidden[hidden <= 0] = 0

    grads["W1"] = X.T.dot(dhidden) + reg * W1
    grads["b1"] = np.sum(dhidden, axis=0)

    return loss, grads
