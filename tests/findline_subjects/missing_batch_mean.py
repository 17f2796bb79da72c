"""Softmax classifier: the loss averages over the batch, dscores is never divided by it."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    n = X.shape[0]
    hidden = np.maximum(X @ params["W1"] + params["b1"], 0)
    scores = hidden @ params["W2"] + params["b2"]
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.sum(Y * np.log(probs)) / n
    dscores = probs - Y  # BUG: / n
    grads = {"W2": hidden.T @ dscores, "b2": dscores.sum(axis=0)}
    dhidden = dscores @ params["W2"].T
    dhidden[hidden <= 0] = 0
    grads["W1"] = X.T @ dhidden
    grads["b1"] = dhidden.sum(axis=0)
    return loss, grads
