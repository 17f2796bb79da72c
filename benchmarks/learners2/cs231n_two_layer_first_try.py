"""CS231n TwoLayerNet.loss as many students first write it: scores and probabilities in
the forward pass, then the backward pass with the ReLU handled by zeroing the hidden
gradient in place. Integer labels, 0.5 * reg * sum(W * W).
"""
import numpy as np


def two_layer_loss(params, X, y, spec):
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    reg = spec.l2
    N = X.shape[0]

    hidden_layer = np.maximum(0, np.dot(X, W1) + b1)
    scores = np.dot(hidden_layer, W2) + b2

    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    sum_exp = np.sum(exp_scores, axis=1, keepdims=True)
    probs = exp_scores / sum_exp
    correct_logprobs = np.log(sum_exp[:, 0]) - scores[range(N), y]
    data_loss = np.sum(correct_logprobs) / N
    reg_loss = 0.5 * reg * np.sum(W1 * W1) + 0.5 * reg * np.sum(W2 * W2)
    loss = data_loss + reg_loss

    grads = {}
    dscores = probs
    dscores[range(N), y] -= 1
    dscores /= N
    grads["W2"] = np.dot(hidden_layer.T, dscores)
    grads["b2"] = np.sum(dscores, axis=0)
    dhidden = np.dot(dscores, W2.T)
    dhidden[hidden_layer < 0] = 0
    grads["W1"] = np.dot(X.T, dhidden)
    grads["b1"] = np.sum(dhidden, axis=0)
    grads["W2"] += reg * W2
    grads["W1"] += reg * W1
    return loss, grads
