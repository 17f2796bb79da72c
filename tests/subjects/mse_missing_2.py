"""Mean squared error whose output gradient keeps the 1/n of the mean but drops the 2 of the
square's derivative: dout = (out - Y) / out.size."""
import numpy as np


def loss_and_grads(params, X, Y, spec):
    L, n = spec.depth, X.shape[0]
    zs, acts = [], [X]
    for k in range(1, L + 1):
        zs.append(acts[-1] @ params[f"W{k}"] + params[f"b{k}"])
        acts.append(1 / (1 + np.exp(-zs[-1])) if k < L else zs[-1])
    out = acts[-1]
    loss = np.mean((out - Y) ** 2)
    loss += spec.l2 / (2 * n) * sum(np.sum(params[f"W{k}"] ** 2) for k in range(1, L + 1))
    d = (out - Y) / out.size
    grads = {}
    for k in range(L, 0, -1):
        grads[f"W{k}"] = acts[k - 1].T @ d + spec.l2 / n * params[f"W{k}"]
        grads[f"b{k}"] = d.sum(axis=0)
        if k > 1:
            d = (d @ params[f"W{k}"].T) * acts[k - 1] * (1 - acts[k - 1])
    return loss, grads
