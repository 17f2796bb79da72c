"""Broken twice: the mse gradient without its 2/n, and the bias gradient averaged over the
batch while the weights sum it."""

from mlp_parts import forward, gradients, loss_value


def loss_and_grads(params, X, Y, spec):
    out = forward(params, X, spec)[0][-1]
    n = out.size
    grads = gradients(params, X, Y, spec, bias=lambda delta: delta.mean(axis=0))
    # the 2/n of d mean((out - Y)^2) / d out is missing: every data gradient is n/2 x
    l2 = {k: (spec.l2 / X.shape[0]) * params[k] if k.startswith("W") else 0.0 for k in grads}
    return loss_value(params, out, Y, spec), {k: (g - l2[k]) * n / 2.0 + l2[k] for k, g in grads.items()}
