"""Layers as pairs of pure functions: each forward sits next to its backward.

Every backward takes the upstream gradient and what the forward cached, and returns new
arrays; nothing here writes into its arguments.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .ops import ACTIVATION_OPS, sigmoid

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "Activation",
    "add_backward",
    "add_forward",
    "affine_backward",
    "affine_forward",
    "affine_param_grads",
    "mul_backward",
    "mul_forward",
    "sigmoid",
]


# ---- elementwise nodes of a computational graph -------------------------------------------

def add_forward(x, y):
    """out = x + y."""
    return x + y


def add_backward(dout):
    """d(x + y)/dx = d(x + y)/dy = 1: the upstream gradient passes through to both inputs."""
    return dout, dout


def mul_forward(x, y):
    """out = x * y."""
    return x * y


def mul_backward(dout, x, y):
    """d(x * y)/dx = y and d(x * y)/dy = x: each input receives the *other* one."""
    return dout * y, dout * x


# ---- affine layer ---------------------------------------------------------------------------

def affine_forward(a: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """z = a @ W + b, with a: (batch, n_in), W: (n_in, n_out), b: (n_out,) (None: no bias)."""
    return a @ W if b is None else a @ W + b


def affine_backward(dz: np.ndarray, a: np.ndarray, W: np.ndarray):
    """Given dL/dz, return (dL/da, dL/dW, dL/db).

    dW = a^T @ dz and db = sum over the batch of dz: both *sum* over the batch, because any
    1/batch of a mean loss is already inside dz.
    """
    return (dz @ W.T, *affine_param_grads(dz, a))


def affine_param_grads(dz: np.ndarray, a: np.ndarray):
    """(dL/dW, dL/db) alone: the first layer needs no dL/da (nobody asks for dL/dX)."""
    return a.T @ dz, dz.sum(axis=0)


# ---- activations: forward(z) -> a, backward(da, z, a) -> dz ---------------------------------
# Each activation's forward and backward sit next to its record in reference/ops.py.

class Activation(NamedTuple):
    forward: object  # z -> a
    backward: object  # (da, z, a) -> dz


ACTIVATION_FUNCTIONS: dict[str, Activation] = {
    name: Activation(op.forward, op.backward) for name, op in ACTIVATION_OPS.items()}
