"""Broken: mse-missing-2-over-n. The loss is mean((out - Y)^2) but its gradient is taken as
``out - Y``: every gradient is off by the same factor n / 2 (n = batch * n_out)."""

from mlp_parts import ACT, forward, gradients, loss_value


def loss_and_grads(params, X, Y, spec):
    if spec.loss != "mse":
        return loss_value(params, forward(params, X, spec)[0][-1], Y, spec), gradients(params, X, Y, spec)
    n = X.shape[0]
    acts, zs = forward(params, X, spec)
    delta = (acts[-1] - Y) * ACT[spec.activations[-1]][1](zs[-1], acts[-1])  # BUG: no 2 / Y.size
    grads = {}
    for i in range(spec.depth, 0, -1):
        grads[f"W{i}"] = acts[i - 1].T @ delta + spec.l2 / n * params[f"W{i}"]
        grads[f"b{i}"] = delta.sum(axis=0)
        if i > 1:
            delta = delta @ params[f"W{i}"].T * ACT[spec.activations[i - 2]][1](zs[i - 2], acts[i - 1])
    return loss_value(params, acts[-1], Y, spec), grads
