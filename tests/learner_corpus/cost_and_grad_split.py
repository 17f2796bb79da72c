"""Cost and gradient written as two separate functions and glued together for the optimiser,
as an scipy.optimize-style training script does. Sigmoid layers throughout, quadratic cost
(1/2m) sum ||a - y||^2, L2 penalty lambda/(2m) sum W^2."""
import numpy as np


def _forward(params, X, L):
    acts = [X]
    for l in range(1, L + 1):
        acts.append(1 / (1 + np.exp(-(acts[-1] @ params[f"W{l}"] + params[f"b{l}"]))))
    return acts


def cost(params, X, Y, spec):
    m, L = X.shape[0], spec.depth
    a = _forward(params, X, L)[-1]
    J = np.sum((a - Y) ** 2) / (2 * m)
    J += spec.l2 / (2 * m) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    return J


def gradient(params, X, Y, spec):
    m, L = X.shape[0], spec.depth
    acts = _forward(params, X, L)
    grad = {}
    d = (acts[-1] - Y) * acts[-1] * (1 - acts[-1]) / m
    for l in range(L, 0, -1):
        grad[f"W{l}"] = acts[l - 1].T @ d
        grad[f"b{l}"] = d.sum(axis=0)
        d = (d @ params[f"W{l}"].T) * acts[l - 1] * (1 - acts[l - 1])
    return grad


def cost_function(params, X, Y, spec):
    return cost(params, X, Y, spec), gradient(params, X, Y, spec)
