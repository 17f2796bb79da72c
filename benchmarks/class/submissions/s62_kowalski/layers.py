"""My layers (forward and backward), used by main.py."""
import numpy as np


def dense_forward(a, W, b):
    return a @ W + b


def dense_backward(dz, a_prev, W):
    return a_prev.T @ dz, dz.sum(axis=0), dz @ W.T


def act_forward(kind, z):
    return {"relu": lambda v: np.maximum(v, 0), "tanh": np.tanh,
            "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "identity": lambda v: v}[kind](z)


def act_backward(kind, da, z, a):
    if kind == "relu":
        return da * (z > 0)
    if kind == "tanh":
        return da * (1 - a ** 2)
    if kind == "sigmoid":
        return da * a * (1 - a)
    return da
