"""Broken: transposed-weight. Returns ``delta.T @ a_prev``, the weight gradient in the
(out, in) orientation, instead of (in, out)."""

from mlp_parts import forward, gradients, loss_value


def loss_and_grads(params, X, Y, spec):
    grads = gradients(params, X, Y, spec)
    for i in range(1, spec.depth + 1):
        grads[f"W{i}"] = grads[f"W{i}"].T  # BUG: W_l is (in, out); this is (out, in)
    return loss_value(params, forward(params, X, spec)[0][-1], Y, spec), grads
