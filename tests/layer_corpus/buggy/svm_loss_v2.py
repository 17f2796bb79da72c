"""Multiclass SVM (hinge) loss, vectorised with a matrix of margins."""
import numpy as np


def svm_loss(x, y):
    N = x.shape[0]
    correct_class_scores = x[np.arange(N), y].reshape(N, 1)
    margins = np.maximum(0, x - correct_class_scores + 1)
    loss = np.sum(margins) / N
    binary = (margins > 0).astype(float)
    row_sum = np.sum(binary, axis=1)
    binary[np.arange(N), y] -= row_sum
    dx = binary / N
    return loss, dx
