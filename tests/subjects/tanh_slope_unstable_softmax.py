"""Two bugs: the tanh derivative written 1 - a (an uncatalogued slip for 1 - a**2) on every
hidden layer, and a softmax that exponentiates the raw logits (overflows on large ones)."""
import numpy as np


def loss_and_grads(params, X, Y, spec):
    L, n = spec.depth, X.shape[0]
    acts = [X]
    for l in range(1, L + 1):
        z = acts[-1] @ params[f"W{l}"] + params[f"b{l}"]
        acts.append(np.tanh(z) if l < L else z)
    e = np.exp(acts[-1])
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.sum(Y * np.log(p)) / n
    loss += spec.l2 / (2 * n) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    grads, d = {}, (p - Y) / n
    for l in range(L, 0, -1):
        grads[f"W{l}"] = acts[l - 1].T @ d + spec.l2 / n * params[f"W{l}"]
        grads[f"b{l}"] = d.sum(axis=0)
        if l > 1:
            d = (d @ params[f"W{l}"].T) * (1 - acts[l - 1])
    return loss, grads
