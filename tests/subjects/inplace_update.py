"""Broken (``--mode update``): updates the caller's arrays in place (``W -= lr * dW``) and
returns them, so the "before" parameters are gone."""

from mlp_parts import gradients


def sgd_step(params, X, Y, spec, lr):
    grads = gradients(params, X, Y, spec)
    for k in params:
        params[k] -= lr * grads[k]  # BUG: mutates the caller's arrays
    return params
