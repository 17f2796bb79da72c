"""Multiclass SVM (hinge) loss, fully vectorised, from the linear-classifier assignment.

x holds the class scores (N, C) and y the integer labels (N,). With margin delta = 1,
L_i = sum_j max(0, x_ij - x_iy + delta); the loss and the gradient are averaged over N.
"""
import numpy as np


def svm_loss(x, y):
    N = x.shape[0]
    delta = 1.0

    # scores of the correct classes as a column, to broadcast against every class
    correct = x[np.arange(N), y][:, np.newaxis]
    margins = np.maximum(0, x - correct + delta)
    loss = np.sum(margins) / N

    # each positive margin adds x_j and subtracts x_y once
    positive = (margins > 0).astype(float)
    positive[np.arange(N), y] = -np.sum(positive, axis=1)
    dx = positive / N
    return loss, dx
