"""Broken: mse-missing-2-over-n. The loss is mean((out - Y)^2) but its gradient is taken as
``out - Y``: every gradient is off by the same factor n / 2 (n = batch * n_out)."""

from mlp_parts import act_prime, forward, gradients, loss_value, output_delta


def last_delta(spec, out, z, Y):
    if spec.loss != "mse":
        return output_delta(spec, out, z, Y)
    return (out - Y) * act_prime(spec.activations[-1], z, out)  # BUG: no 2 / Y.size


def loss_and_grads(params, X, Y, spec):
    out = forward(params, X, spec)[0][-1]
    return loss_value(params, out, Y, spec), gradients(params, X, Y, spec, last_delta=last_delta)
