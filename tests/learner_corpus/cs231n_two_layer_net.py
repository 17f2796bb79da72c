"""Two-layer fully-connected net, assignment 1 style.

affine - relu - affine - softmax, integer labels y, L2 regularization 0.5 * reg * sum(W*W).
Adapted to take params as a dict and the network description as `spec`.
"""
import numpy as np


def two_layer_loss(params, X, y, spec):
    W1, b1 = params['W1'], params['b1']
    W2, b2 = params['W2'], params['b2']
    reg = spec.l2
    N, D = X.shape

    # forward pass
    hidden_layer = np.maximum(0, X.dot(W1) + b1)   # (N, H)
    scores = hidden_layer.dot(W2) + b2              # (N, C)

    # softmax loss
    shift_scores = scores - np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(shift_scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    correct_logprobs = -np.log(probs[np.arange(N), y])
    data_loss = np.sum(correct_logprobs) / N
    reg_loss = 0.5 * reg * np.sum(W1 * W1) + 0.5 * reg * np.sum(W2 * W2)
    loss = data_loss + reg_loss

    # backward pass
    grads = {}
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N

    grads['W2'] = np.dot(hidden_layer.T, dscores)
    grads['b2'] = np.sum(dscores, axis=0)

    dhidden = np.dot(dscores, W2.T)
    dhidden[hidden_layer <= 0] = 0

    grads['W1'] = np.dot(X.T, dhidden)
    grads['b1'] = np.sum(dhidden, axis=0)

    grads['W2'] += reg * W2
    grads['W1'] += reg * W1

    return loss, grads
