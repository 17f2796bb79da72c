"""A ReLU MLP classifier of any depth where the ReLU's derivative is kept as a boolean mask
from the forward pass (mask = z >= 0) and multiplied in on the way back. Softmax
cross-entropy on integer labels, L2 penalty lam/(2N) sum W^2.
"""
import numpy as np


def loss_and_grads(params, X, y, spec):
    L = spec.depth
    N = X.shape[0]
    lam = spec.l2
    a = X
    inputs, masks = [], []
    for i in range(1, L + 1):
        inputs.append(a)
        z = a @ params[f"W{i}"] + params[f"b{i}"]
        if i < L:
            masks.append(z >= 0)
            a = z * masks[-1]
        else:
            a = z
    a = a - a.max(axis=1, keepdims=True)
    logp = a - np.log(np.exp(a).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(N), y].mean()
    loss += lam / (2 * N) * sum((params[f"W{i}"] ** 2).sum() for i in range(1, L + 1))

    grads = {}
    d = np.exp(logp)
    d[np.arange(N), y] -= 1
    d /= N
    for i in range(L, 0, -1):
        grads[f"W{i}"] = inputs[i - 1].T @ d + lam / N * params[f"W{i}"]
        grads[f"b{i}"] = d.sum(axis=0)
        if i > 1:
            d = (d @ params[f"W{i}"].T) * masks[i - 2]
    return loss, grads
