"""Two-layer softmax classifier in the spirit of CS231n's softmax_loss_naive: explicit loops
over the training examples and the classes, integer labels, 0.5 * reg * sum(W * W).
"""
import numpy as np


def two_layer_loss_naive(params, X, y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    reg = spec.l2
    num_train = X.shape[0]
    num_classes = W2.shape[1]
    loss = 0.0
    dW1, db1 = np.zeros_like(W1), np.zeros_like(b1)
    dW2, db2 = np.zeros_like(W2), np.zeros_like(b2)

    for i in range(num_train):
        h_in = X[i].dot(W1) + b1
        h = np.maximum(h_in, 0)
        scores = h.dot(W2) + b2
        exp_scores = np.exp(scores)
        total = np.sum(exp_scores)
        loss += -np.log(exp_scores[y[i]] / total)
        dscores = np.zeros(num_classes)
        for j in range(num_classes):
            p = exp_scores[j] / total
            dscores[j] = p - (j == y[i])
        dW2 += np.outer(h, dscores)
        db2 += dscores
        dh = W2.dot(dscores)
        dh[h_in <= 0] = 0
        dW1 += np.outer(X[i], dh)
        db1 += dh

    loss = loss / num_train + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    grads = {
        "W1": dW1 / num_train + reg * W1,
        "b1": db1 / num_train,
        "W2": dW2 / num_train + reg * W2,
        "b2": db2 / num_train,
    }
    return loss, grads
