"""Unusable as written: a CS231n-style ``loss(X, y, reg)`` that keeps its parameters on the
model and takes the data first. ``crosscheck verify`` calls ``f(params, X, Y, spec)``, so this
gets one message before any network is drawn (and exit 1), never twenty identical failures."""

import numpy as np

PARAMS = {"W1": np.zeros((4, 3)), "b1": np.zeros(3)}


def loss(X, y, reg):
    scores = X @ PARAMS["W1"] + PARAMS["b1"]
    return float(np.mean(scores)) + reg, {k: np.zeros_like(v) for k, v in PARAMS.items()}
