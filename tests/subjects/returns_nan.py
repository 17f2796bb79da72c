"""Broken: returns NaN. The bias-gradient accumulators start as ``np.full(shape, np.nan)`` (a
"not computed yet" marker) and the gradient is added to them instead of replacing them."""

import numpy as np
from mlp_parts import forward, gradients, loss_value


def loss_and_grads(params, X, Y, spec):
    grads = gradients(params, X, Y, spec)
    for i in range(1, spec.depth + 1):
        acc = np.full(grads[f"b{i}"].shape, np.nan)
        grads[f"b{i}"] = acc + grads[f"b{i}"]  # BUG: NaN + anything is NaN
    return loss_value(params, forward(params, X, spec)[0][-1], Y, spec), grads
