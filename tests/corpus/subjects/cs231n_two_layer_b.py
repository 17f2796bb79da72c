"""Hard-coded TwoLayerNet.loss in the CS231n assignment manner: affine - ReLU - affine - softmax."""
import numpy as np


def two_layer_loss(params, X, Y, spec):
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    N, D = X.shape
    reg = spec.l2 / N

    h1 = np.maximum(0, X.dot(W1) + b1)
    scores = h1.dot(W2) + b2

    scores -= np.max(scores, axis=1, keepdims=True)
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    probs = np.exp(log_probs)
    loss = -np.sum(Y * log_probs) / N
    loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(b1 * b1) + np.sum(W2 * W2) + np.sum(b2 * b2))

    grads = {}
    dscores = (probs - Y) / N
    grads["W2"] = h1.T.dot(dscores) + reg * W2
    grads["b2"] = np.mean(dscores, axis=0) + reg * b2
    dh1 = dscores.dot(W2.T)
    dh1[h1 <= 0] = 0
    grads["W1"] = X.T.dot(dh1) + reg * W1
    grads["b1"] = np.mean(dh1, axis=0) + reg * b1
    return loss, grads
