"""TwoLayerNet.loss, fully vectorised (no loops), as submitted for the assignment.

Architecture: input - fully connected - ReLU - fully connected - softmax.
y holds integer labels; reg is the L2 strength of 0.5 * reg * (||W1||^2 + ||W2||^2).
"""
import numpy as np


def loss(params, X, y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    reg = spec.l2
    num_train = X.shape[0]

    z1 = X @ W1 + b1
    hidden = np.maximum(0, z1)
    scores = hidden @ W2 + b2

    scores -= scores.max(axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = -np.log(probs[range(num_train), y]).mean()
    loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    grads = {}
    dscores = probs
    dscores[range(num_train), y] -= 1
    dscores /= num_train

    grads["W2"] = hidden.T.dot(dscores)
    grads["b2"] = dscores.sum(axis=0)
    dhidden = dscores.dot(W2.T)
    dhidden *= (z1 > 0)
    grads["W1"] = X.T.dot(dhidden) + reg * W1
    grads["b1"] = dhidden.sum(axis=0)
    return loss, grads
