"""Hostile: allocates 12 GB (a (40000, 40000) float64 array: a batch-by-batch matrix where a
vector was meant)."""

import numpy as np


def loss_and_grads(params, X, Y, spec):
    big = np.ones((40000, 40000))
    return float(big[0, 0]), {}
