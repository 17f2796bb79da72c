"""Mean squared error regression net, computed example by example (no vectorisation yet).

tanh hidden units, a linear output; each example's gradient is added up, then averaged.
"""
import numpy as np


def forward_one(params, x, depth):
    hs = [x]
    for k in range(1, depth + 1):
        z = hs[-1] @ params[f"W{k}"] + params[f"b{k}"]
        hs.append(np.tanh(z) if k < depth else z)
    return hs


def loss_and_grads(params, X, Y, spec):
    depth = spec.depth
    n_samples, n_out = Y.shape
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    sq_err = 0.0
    for x, y in zip(X, Y):
        hs = forward_one(params, x, depth)
        err = hs[-1] - y
        sq_err += err @ err
        g = 2.0 * err / n_out  # derivative of the mean over the outputs
        for k in range(depth, 0, -1):
            grads[f"W{k}"] += np.outer(hs[k - 1], g)
            grads[f"b{k}"] += g
            if k > 1:
                g = (params[f"W{k}"] @ g) * (1.0 - hs[k - 1] ** 2)
    penalty = sum(np.sum(params[f"W{k}"] ** 2) for k in range(1, depth + 1))
    loss = sq_err / n_samples + spec.l2 * penalty / (2 * n_samples)
    for k in range(1, depth + 1):
        grads[f"W{k}"] = grads[f"W{k}"] / n_samples + spec.l2 / n_samples * params[f"W{k}"]
        grads[f"b{k}"] = grads[f"b{k}"] / n_samples
    return loss, grads
