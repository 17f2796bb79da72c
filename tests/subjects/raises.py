"""Broken: multiplies in the wrong order (``W @ a`` for row-vector activations), which raises a
shape mismatch inside the user's own helper."""

import numpy as np


def layer(W, b, a):
    return np.tanh(W @ a + b)  # BUG: a is (batch, in); should be a @ W


def loss_and_grads(params, X, Y, spec):
    a = X
    for i in range(1, spec.depth + 1):
        a = layer(params[f"W{i}"], params[f"b{i}"], a)
    return float(np.mean((a - Y) ** 2)), {}
