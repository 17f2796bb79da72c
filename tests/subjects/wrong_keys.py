"""Broken: names the gradients ``dW1, db1, ...`` instead of the keys of params."""

from mlp_parts import forward, gradients, loss_value


def loss_and_grads(params, X, Y, spec):
    grads = gradients(params, X, Y, spec)
    loss = loss_value(params, forward(params, X, spec)[0][-1], Y, spec)
    return loss, {"d" + k: g for k, g in grads.items()}
