"""Leaky-ReLU regression network, vectorised, with one small helper per step.

Quadratic cost C = 1/(2n) sum ||a - y||^2 plus the L2 penalty lambda/(2n) sum ||W||^2.
"""
import numpy as np

SLOPE = 0.01


def leaky(z):
    return np.where(z > 0, z, SLOPE * z)


def leaky_grad(z):
    return np.where(z > 0, 1.0, SLOPE)


def layer_forward(a, W, b, last):
    z = a @ W + b
    return z, (z if last else leaky(z))


def cost(out, Y, Ws, lam):
    n = Y.shape[0]
    return 0.5 * np.sum((out - Y) ** 2) / n + lam / (2 * n) * sum((W * W).sum() for W in Ws)


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    n = X.shape[0]
    Ws = [params[f"W{l}"] for l in range(1, L + 1)]
    bs = [params[f"b{l}"] for l in range(1, L + 1)]
    zs, acts = [], [X]
    for l in range(L):
        z, a = layer_forward(acts[-1], Ws[l], bs[l], last=(l == L - 1))
        zs.append(z)
        acts.append(a)
    J = cost(acts[-1], Y, Ws, spec.l2)

    err = acts[-1] - Y
    grads = {}
    for l in reversed(range(L)):
        if l < L - 1:
            err = err * leaky_grad(zs[l])
        grads[f"W{l + 1}"] = acts[l].T @ err + spec.l2 / n * Ws[l]
        grads[f"b{l + 1}"] = err.sum(axis=0)
        err = err @ Ws[l].T
    return J, grads
