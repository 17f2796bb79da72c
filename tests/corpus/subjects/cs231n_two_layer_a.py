"""Hard-coded TwoLayerNet.loss in the CS231n assignment manner: affine - ReLU - affine - softmax."""
import numpy as np


def two_layer_loss(params, X, Y, spec):
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    N, D = X.shape
    reg = spec.l2 / N

    # forward pass
    hidden = np.maximum(0, X.dot(W1) + b1)
    scores = hidden.dot(W2) + b2

    # loss
    scores = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    probs = np.exp(log_probs)
    data_loss = -np.sum(Y * log_probs) / N
    reg_loss = 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    loss = data_loss + reg_loss

    # backward pass
    grads = {}
    dscores = (probs - Y) / N
    grads["W2"] = hidden.T.dot(dscores) + reg * W2
    grads["b2"] = np.sum(dscores, axis=0)
    dhidden = dscores.dot(W2.T)
    dhidden[hidden <= 0] = 0
    grads["W1"] = X.T.dot(dhidden) + reg * W1
    grads["b1"] = np.sum(dhidden, axis=0)
    return loss, grads
