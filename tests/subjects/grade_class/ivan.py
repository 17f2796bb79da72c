"""Unexplained: a constant added to every weight gradient."""
import numpy as np


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    acts, a = [X], X
    for i in range(1, L + 1):
        z = a @ params[f"W{i}"] + params[f"b{i}"]
        a = z if i == L else np.tanh(z)
        acts.append(a)
    n = X.shape[0]
    loss = np.mean((a - Y) ** 2)
    loss += spec.l2 / (2 * n) * sum(np.sum(params[f"W{i}"] ** 2) for i in range(1, L + 1))
    grads, delta = {}, 2 * (a - Y) / a.size
    for i in range(L, 0, -1):
        grads[f"W{i}"] = acts[i - 1].T @ delta + spec.l2 / n * params[f"W{i}"] + 0.01 * i  # BUG
        grads[f"b{i}"] = delta.sum(axis=0)
        if i > 1:
            delta = (delta @ params[f"W{i}"].T) * (1 - acts[i - 1] ** 2)
    return float(loss), grads
