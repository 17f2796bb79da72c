"""SGD steps with the step size built in (``--fixed-lr 0.05``): ``train_step(params, X, Y,
spec) -> new_params``, no lr argument, the rate a module constant as a training script sets
it. ``train_step`` is correct; ``train_step_late_w2`` updates W2 before it is used to pass the
error down to layer 1 (two layers, the update-order bug).
"""

import numpy as np
from class_layers import loss_and_grads

LEARNING_RATE = 0.05


def train_step(params, X, Y, spec):
    _, grads = loss_and_grads(params, X, Y, spec)
    return {k: params[k] - LEARNING_RATE * grads[k] for k in params}


def train_step_late_w2(params, X, Y, spec):
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    m = X.shape[0]
    d2 = 2.0 * (out - Y) / out.size
    W2 = W2 - LEARNING_RATE * (h.T @ d2 + spec.l2 / m * W2)  # BUG: updated before its use below
    b2 = b2 - LEARNING_RATE * d2.sum(axis=0)
    d1 = (d2 @ W2.T) * (1.0 - h**2)
    W1 = W1 - LEARNING_RATE * (X.T @ d1 + spec.l2 / m * W1)
    b1 = b1 - LEARNING_RATE * d1.sum(axis=0)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
