"""CS231n TwoLayerNet.loss, 2017+ handout style: the penalty is reg * sum(W * W) (no 0.5).

The contract's lambda multiplies 0.5 * sum(W * W), so reg = 0.5 * lambda here.
"""
import numpy as np


def loss(params, X, y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    reg = 0.5 * spec.l2
    num_train = X.shape[0]

    h1 = X @ W1 + b1
    relu_out = np.maximum(h1, 0)
    scores = relu_out @ W2 + b2

    scores = scores - scores.max(axis=1, keepdims=True)
    correct_class_scores = scores[np.arange(num_train), y]
    log_sum = np.log(np.exp(scores).sum(axis=1))
    data_loss = np.mean(log_sum - correct_class_scores)
    total_loss = data_loss + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    p = np.exp(scores - log_sum[:, None])
    p[np.arange(num_train), y] -= 1
    dscores = p / num_train

    grads = {}
    grads["W2"] = relu_out.T @ dscores + reg * W2
    grads["b2"] = dscores.sum(axis=0)
    drelu = dscores @ W2.T
    dh1 = drelu * (h1 > 0)
    grads["W1"] = X.T @ dh1 + reg * W1
    grads["b1"] = dh1.sum(axis=0)
    return total_loss, grads
