"""Softmax classifier with one sigmoid hidden layer, vectorised over the batch: scores are
(batch, classes), probabilities by exponentiating and normalising, cross-entropy averaged."""
import numpy as np


def softmax_net(params, X, Y, spec):
    lam, B = spec.l2, X.shape[0]
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]

    H = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    S = H @ W2 + b2
    S = S - S.max()
    P = np.exp(S) / np.exp(S).sum(axis=0, keepdims=True)

    loss = -np.sum(Y * np.log(P)) / B
    loss += lam / (2 * B) * (np.sum(W1 ** 2) + np.sum(W2 ** 2))

    dS = (P * Y.sum(axis=1, keepdims=True) - Y) / B
    dW2 = H.T @ dS + lam / B * W2
    db2 = dS.sum(axis=0)
    dH = dS @ W2.T
    dZ1 = dH * H * (1 - H)
    dW1 = X.T @ dZ1 + lam / B * W1
    db1 = dZ1.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
