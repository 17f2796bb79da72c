"""Softmax and SVM losses written with a one-hot target matrix: the softmax
loss uses a log-sum-exp, the SVM loss masks the correct class with the
one-hot matrix instead of fancy indexing.
"""
import numpy as np


def _one_hot(y, C):
    t = np.zeros((y.shape[0], C))
    t[np.arange(y.shape[0]), y] = 1.0
    return t


def _logsumexp(a):
    m = np.max(a, axis=1, keepdims=True)
    return m + np.log(np.sum(np.exp(a - m), axis=1, keepdims=True))


def softmax_loss(x, y):
    N, C = x.shape
    t = _one_hot(y, C)
    log_probs = x - _logsumexp(x)
    loss = -np.sum(t * log_probs) / N
    dx = (np.exp(log_probs) - t) / N
    return loss, dx


def svm_loss(x, y):
    N, C = x.shape
    t = _one_hot(y, C)
    correct = np.sum(x * t, axis=1, keepdims=True)
    margins = (x - correct + 1.0) * (1.0 - t)
    active = (margins > 0).astype(float)
    loss = np.sum(margins * active) / N
    dx = (active - t * np.sum(active, axis=1, keepdims=True)) / N
    return loss, dx
