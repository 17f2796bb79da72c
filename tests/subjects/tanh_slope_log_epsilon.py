"""Two bugs: the tanh derivative written 1 - a (an uncatalogued slip for 1 - a**2) on every
hidden layer, and a cross-entropy that takes log(p + 1e-7) (the catalogued loss-log-epsilon)."""
import numpy as np


def loss_and_grads(params, X, Y, spec):
    L, n = spec.depth, X.shape[0]
    acts = [X]
    for k in range(1, L + 1):
        z = acts[-1] @ params[f"W{k}"] + params[f"b{k}"]
        acts.append(np.tanh(z) if k < L else z)
    s = acts[-1] - acts[-1].max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    loss = -np.sum(Y * np.log(p + 1e-7)) / n
    loss += spec.l2 / (2 * n) * sum(np.sum(params[f"W{k}"] ** 2) for k in range(1, L + 1))
    grads, d = {}, (p - Y) / n
    for k in range(L, 0, -1):
        grads[f"W{k}"] = acts[k - 1].T @ d + spec.l2 / n * params[f"W{k}"]
        grads[f"b{k}"] = d.sum(axis=0)
        if k > 1:
            d = (d @ params[f"W{k}"].T) * (1 - acts[k - 1])
    return loss, grads
