"""Raises on every call."""


def loss_and_grads(params, X, Y, spec):
    raise ValueError("not implemented yet")
