"""Softmax and SVM losses written with a loop over the examples and the
classes, like the ``*_loss_naive`` functions of CS231n assignment 1, but
taking the scores directly instead of (W, X).
"""
import numpy as np


def softmax_loss(x, y):
    N, C = x.shape
    loss = 0.0
    dx = np.zeros_like(x, dtype=float)
    for i in range(N):
        scores = x[i] - np.max(x[i])
        exp_scores = np.exp(scores)
        total = np.sum(exp_scores)
        loss += np.log(total) - scores[y[i]]
        for j in range(C):
            p = exp_scores[j] / total
            dx[i, j] = p - (1.0 if j == y[i] else 0.0)
    loss /= N
    dx /= N
    return loss, dx


def svm_loss(x, y):
    N, C = x.shape
    loss = 0.0
    dx = np.zeros_like(x, dtype=float)
    for i in range(N):
        correct_class_score = x[i, y[i]]
        for j in range(C):
            if j == y[i]:
                continue
            margin = x[i, j] - correct_class_score + 1
            if margin > 0:
                loss += margin
                dx[i, j] += 1
                dx[i, y[i]] -= 1
    loss /= N
    dx /= N
    return loss, dx
