"""Broken: bias-mean-vs-sum. The bias gradient averages the batch (``delta.mean(axis=0)``)
while the weight gradient sums it, and delta already carries the 1/batch of the loss: every
bias gradient is 1/batch of the truth (invisible at batch 1)."""

from mlp_parts import forward, gradients, loss_value


def bias_grad(delta):
    return delta.mean(axis=0)  # BUG: should be delta.sum(axis=0)


def loss_and_grads(params, X, Y, spec):
    out = forward(params, X, spec)[0][-1]
    return loss_value(params, out, Y, spec), gradients(params, X, Y, spec, bias=bias_grad)
