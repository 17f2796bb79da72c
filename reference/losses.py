"""Losses: each value next to its gradient with respect to the last layer's output.

``out`` is the network output (logits for the two cross-entropies), shape (batch, n_out).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .layers import sigmoid

__all__ = ["LOSS_FUNCTIONS", "Loss", "as_rows", "l2_grad", "l2_penalty", "log_softmax", "softmax"]


def as_rows(Y: np.ndarray, n_out: int) -> np.ndarray:
    """Targets as rows: integer class indices, shape (batch,), become one-hot rows
    (batch, n_out); rows are returned as they are."""
    if Y.ndim == 1 and np.issubdtype(Y.dtype, np.integer):
        return np.eye(n_out)[Y]
    return Y


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z) along the last axis, shifted by the row max so exp never overflows."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax(z))


def _mse(out, Y):
    """L = mean over all elements of (out - Y)^2."""
    return float(np.mean((out - Y) ** 2))


def _mse_grad(out, Y):
    # dL/dout = 2 (out - Y) / n with n = batch * n_out: the 2 and the 1/n both matter.
    return 2.0 * (out - Y) / out.size


def _half_sse(out, Y):
    """L = 1 / (2 batch) * sum over all elements of (out - Y)^2: the textbook quadratic cost."""
    return float(np.sum((out - Y) ** 2) / (2.0 * out.shape[0]))


def _half_sse_grad(out, Y):
    # dL/dout = (out - Y) / batch: the 1/2 cancels the 2 of the square; no 1/n_out.
    return (out - Y) / out.shape[0]


def _softmax_ce(z, Y):
    """L = mean over the batch of -sum_k Y_k log softmax(z)_k (Y one-hot or soft rows, or
    integer class indices y: then -log softmax(z)_y)."""
    Y = as_rows(Y, z.shape[-1])
    return float(-(Y * log_softmax(z)).sum(axis=-1).mean())


def _softmax_ce_grad(z, Y):
    # d/dz of -sum_k Y_k log p_k = p * sum_k Y_k - Y  (= p - Y for rows that sum to 1).
    Y = as_rows(Y, z.shape[-1])
    return (softmax(z) * Y.sum(axis=-1, keepdims=True) - Y) / z.shape[0]


def _sigmoid_bce(z, Y):
    """L = mean over the batch of -sum_k [Y log s + (1 - Y) log(1 - s)], s = sigmoid(z).

    Written as softplus(z) - Y z, with softplus(z) = log(1 + e^z) = logaddexp(0, z): finite
    for any logit.
    """
    return float((np.logaddexp(0.0, z) - Y * z).sum(axis=-1).mean())


def _sigmoid_bce_grad(z, Y):
    return (sigmoid(z) - Y) / z.shape[0]


class Loss(NamedTuple):
    value: object  # (out, Y) -> float
    grad: object  # (out, Y) -> dL/dout


LOSS_FUNCTIONS: dict[str, Loss] = {
    "mse": Loss(_mse, _mse_grad),
    "softmax_cross_entropy": Loss(_softmax_ce, _softmax_ce_grad),
    "sigmoid_bce": Loss(_sigmoid_bce, _sigmoid_bce_grad),
    "half_sse": Loss(_half_sse, _half_sse_grad),
}


def l2_penalty(weights, lam: float, batch: int) -> float:
    """lambda / (2 * batch) * sum_l ||W_l||^2 over the weight matrices only (no biases)."""
    return float(lam / (2.0 * batch) * sum(float(np.sum(W * W)) for W in weights))


def l2_grad(W: np.ndarray, lam: float, batch: int) -> np.ndarray:
    """d/dW of the penalty: lambda / batch * W."""
    return (lam / batch) * W
