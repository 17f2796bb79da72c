"""Per-sample backprop with running sums, tanh hidden layers, identity output and the
half-sum-of-squares cost 1/(2m) sum ||a - y||^2."""
import numpy as np


def loss_and_grads(params, X, Y, spec):
    L, m = spec.depth, X.shape[0]
    Ws = [params[f"W{l}"] for l in range(1, L + 1)]
    bs = [params[f"b{l}"] for l in range(1, L + 1)]
    gW = [np.zeros_like(W) for W in Ws]
    gb = [np.zeros_like(b) for b in bs]
    J = 0.0
    for i in range(m):
        a = [X[i]]
        for l in range(L):
            z = a[-1] @ Ws[l] + bs[l]
            a.append(np.tanh(z) if l < L - 1 else z)
        r = a[-1] - Y[i]
        J += 0.5 * np.dot(r, r)
        delta = r
        for l in reversed(range(L)):
            gW[l] += np.outer(a[l], delta)
            gb[l] = delta
            if l > 0:
                delta = (Ws[l] @ delta) * (1 - a[l] ** 2)
    J = J / m + spec.l2 / (2 * m) * sum(np.sum(W * W) for W in Ws)
    grads = {}
    for l in range(L):
        grads[f"W{l + 1}"] = gW[l] / m + spec.l2 / m * Ws[l]
        grads[f"b{l + 1}"] = gb[l] / m
    return J, grads
