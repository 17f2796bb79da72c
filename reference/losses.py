"""Losses: each value next to its gradient with respect to the last layer's output.

``out`` is the network output (logits for the two cross-entropies), shape (batch, n_out).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .ops import LOSS_OPS, as_rows, log_softmax, softmax

__all__ = ["LOSS_FUNCTIONS", "Loss", "as_rows", "l2_grad", "l2_penalty", "log_softmax", "softmax"]


class Loss(NamedTuple):
    value: object  # (out, Y) -> float
    grad: object  # (out, Y) -> dL/dout


# Each loss's value and gradient sit next to its record in reference/ops.py.
LOSS_FUNCTIONS: dict[str, Loss] = {name: Loss(op.value, op.grad) for name, op in LOSS_OPS.items()}


def l2_penalty(weights, lam: float, batch: float) -> float:
    """lambda / (2 * batch) * sum_l ||W_l||^2 over the weight matrices only (no biases).
    ``batch`` is the divisor the spec's conventions give (``NetworkSpec.l2_divisor``)."""
    return float(lam / (2.0 * batch) * sum(float(np.sum(W * W)) for W in weights))


def l2_grad(W: np.ndarray, lam: float, batch: float) -> np.ndarray:
    """d/dW of the penalty: lambda / batch * W."""
    return (lam / batch) * W
