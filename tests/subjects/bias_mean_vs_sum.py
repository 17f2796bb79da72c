"""Broken: bias-mean-vs-sum. The bias gradient averages the batch (``delta.mean(axis=0)``)
while the weight gradient sums it, and delta already carries the 1/batch of the loss: every
bias gradient is 1/batch of the truth (invisible at batch 1)."""

from mlp_parts import ACT, forward, loss_value, output_delta


def loss_and_grads(params, X, Y, spec):
    n = X.shape[0]
    acts, zs = forward(params, X, spec)
    delta = output_delta(spec, acts[-1], zs[-1], Y)
    grads = {}
    for i in range(spec.depth, 0, -1):
        grads[f"W{i}"] = acts[i - 1].T @ delta + spec.l2 / n * params[f"W{i}"]
        grads[f"b{i}"] = delta.mean(axis=0)  # BUG: should be delta.sum(axis=0)
        if i > 1:
            delta = delta @ params[f"W{i}"].T * ACT[spec.activations[i - 2]][1](zs[i - 2], acts[i - 1])
    return loss_value(params, acts[-1], Y, spec), grads
