"""Broken: returns only the gradient dict, not ``(loss, grads)``."""

from mlp_parts import gradients


def loss_and_grads(params, X, Y, spec):
    return gradients(params, X, Y, spec)
