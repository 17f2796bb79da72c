"""Right algebra, unstable arithmetic (``--mode update --loss sigmoid_bce``): one SGD step
whose cross-entropy derivative is taken through the sigmoid's output, (s - Y) / (s (1 - s)),
and then multiplied back by s (1 - s). Where a logit is large, s rounds to 1 and the step is
0/0 = NaN at every learning rate: a non-finite gradient, not one that depends on the rate.
"""

import numpy as np
from mlp_parts import act_prime, forward


def sgd_step(params, X, Y, spec, lr):
    acts, zs = forward(params, X, spec)
    n = X.shape[0]
    s = 1 / (1 + np.exp(-zs[-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        ds = (s - Y) / (s * (1 - s)) / n  # dL/ds of the mean binary cross-entropy
        delta = ds * s * (1 - s)
    new = {}
    for i in range(spec.depth, 0, -1):
        W = params[f"W{i}"]
        new[f"W{i}"] = W - lr * (acts[i - 1].T @ delta + spec.l2 / n * W)
        new[f"b{i}"] = params[f"b{i}"] - lr * delta.sum(axis=0)
        if i > 1:
            delta = (delta @ W.T) * act_prime(spec.activations[i - 2], zs[i - 2], acts[i - 1])
    return new
