"""Odd values a subject may return: np.matrix weight gradients, a float subclass loss, with a
real bug on top (every bias gradient doubled). The verdict and the diagnosis must cope."""

import numpy as np
from mlp_parts import forward, gradients, loss_value


class Loss(float):
    """A float subclass, as some autograd-like toy libraries return."""


def loss_and_grads(params, X, Y, spec):
    grads = gradients(params, X, Y, spec)
    out = {k: (np.asmatrix(g) if k.startswith("W") else 2.0 * g) for k, g in grads.items()}
    return Loss(loss_value(params, forward(params, X, spec)[0][-1], Y, spec)), out
