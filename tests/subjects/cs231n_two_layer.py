"""Correct, in the CS231n style (``--targets labels --loss softmax_cross_entropy``): the
assignment's two-layer net, affine - ReLU - affine - softmax, whose ``y`` holds integer class
labels (shape (N,)) that index the scores directly instead of one-hot rows.

Ported to the contract's call ``loss(params, X, y, spec)``; the course's ``0.5 * reg *
sum(W * W)`` becomes the contract's penalty ``l2 / (2 N) * sum(W * W)``. Two layers only: run
it with ``--sizes IN-HIDDEN-CLASSES --hidden-activations relu``.
"""

import numpy as np


def loss(params, X, y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    reg = spec.l2 / N

    hidden = np.maximum(0, X.dot(W1) + b1)
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
    dhidden = dscores.dot(W2.T)
    dhidden[hidden <= 0] = 0
    grads["W1"] = X.T.dot(dhidden) + reg * W1
    grads["b1"] = np.sum(dhidden, axis=0)
    return data_loss + reg_loss, grads
