"""Vectorised backprop over Python lists of weights, pre-activations and activations.

The activation of each layer comes from spec.activations (a small table of functions and
their derivatives); the cost is the quadratic cost 1/(2n) sum ||a - y||^2.
"""
import numpy as np

ACT = {
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
}


def loss_and_grads(params, X, Y, spec):
    Ws = [params[f"W{i + 1}"] for i in range(spec.depth)]
    bs = [params[f"b{i + 1}"] for i in range(spec.depth)]
    n = X.shape[0]

    zs, activations = [], [X]
    for i, (W, b) in enumerate(zip(Ws, bs)):
        z = activations[-1] @ W + b
        zs.append(z)
        activations.append(ACT[spec.activations[i]][0](z))

    out = activations[-1]
    cost = np.sum((out - Y) ** 2) / (2 * n)
    cost += spec.l2 / (2 * n) * sum(np.sum(W ** 2) for W in Ws)

    nabla_W = [None] * len(Ws)
    nabla_b = [None] * len(bs)
    grad_a = (out - Y) / n
    for i in reversed(range(len(Ws))):
        delta = grad_a * ACT[spec.activations[i - 1]][1](zs[i])
        nabla_W[i] = activations[i].T @ delta + spec.l2 / n * Ws[i]
        nabla_b[i] = delta.sum(axis=0)
        grad_a = delta @ Ws[i].T

    grads = {}
    for i in range(len(Ws)):
        grads[f"W{i + 1}"], grads[f"b{i + 1}"] = nabla_W[i], nabla_b[i]
    return cost, grads
