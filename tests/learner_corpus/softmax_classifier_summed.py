"""Multi-layer ReLU classifier whose cost is the total cross-entropy over the batch (summed,
as in the derivations that write E = -sum_n sum_k t_nk ln y_nk) with weight decay lambda/2 ||W||^2."""
import numpy as np


def softmax(a):
    e = np.exp(a)
    return e / e.sum(axis=1, keepdims=True)


def cost_grad(params, X, T, spec):
    L = spec.depth
    lam = spec.l2
    zs, hs = [], [X]
    for i in range(1, L + 1):
        z = hs[-1] @ params["W%d" % i] + params["b%d" % i]
        zs.append(z)
        hs.append(np.maximum(z, 0) if i < L else z)
    y = softmax(hs[-1])

    E = -np.sum(T * np.log(y))
    E += lam / 2 * sum(np.sum(params["W%d" % i] ** 2) for i in range(1, L + 1))

    grad = {}
    delta = y * T.sum(axis=1, keepdims=True) - T
    for i in range(L, 0, -1):
        grad["W%d" % i] = hs[i - 1].T @ delta + lam * params["W%d" % i]
        grad["b%d" % i] = delta.sum(axis=0)
        if i > 1:
            delta = (delta @ params["W%d" % i].T) * (zs[i - 2] > 0)
    return E, grad
