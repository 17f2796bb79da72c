"""Broken: standardises the caller's X in place (``X -= X.mean(axis=0)``) before the forward
pass, so whoever calls it next sees different data."""

from mlp_parts import forward, gradients, loss_value


def loss_and_grads(params, X, Y, spec):
    X -= X.mean(axis=0)  # BUG: modifies the caller's array
    return loss_value(params, forward(params, X, spec)[0][-1], Y, spec), gradients(params, X, Y, spec)
