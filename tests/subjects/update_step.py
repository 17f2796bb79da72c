"""Correct, as one SGD step (``--mode update``): ``sgd_step(params, X, Y, spec, lr)`` computes
every gradient first, with the old weights, then returns new arrays ``W - lr * dW``.

Style unlike the reference: nothing is returned but the new parameters (no loss, no grads).
"""

from mlp_parts import gradients


def sgd_step(params, X, Y, spec, lr):
    grads = gradients(params, X, Y, spec)
    return {k: params[k] - lr * grads[k] for k in params}
