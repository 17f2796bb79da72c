"""Broken: update-order (``--mode update``). Each W_l is updated as soon as its gradient is
known, and the *updated* W_l is then used to propagate delta to the layer below. Exact at
lr = 0, so a gradient-only check passes; wrong below the top layer by an amount that grows
with lr."""

from mlp_parts import act_prime, forward, output_delta


def sgd_step(params, X, Y, spec, lr):
    n = X.shape[0]
    new = {k: v.copy() for k, v in params.items()}
    acts, zs = forward(params, X, spec)
    delta = output_delta(spec, acts[-1], zs[-1], Y)
    for i in range(spec.depth, 0, -1):
        new[f"W{i}"] = new[f"W{i}"] - lr * (acts[i - 1].T @ delta + spec.l2 / n * params[f"W{i}"])
        new[f"b{i}"] = new[f"b{i}"] - lr * delta.sum(axis=0)
        if i > 1:  # BUG: propagates through the new W_i instead of params[f"W{i}"]
            delta = delta @ new[f"W{i}"].T * act_prime(spec.activations[i - 2], zs[i - 2], acts[i - 1])
    return new
