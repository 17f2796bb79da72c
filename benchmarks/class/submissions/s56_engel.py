"""One example at a time: each row of X goes forward and backward on its own and the
gradients are averaged at the end (the way the lecture notes first derive it)."""
import numpy as np


def f(kind, z):
    if kind == "relu":
        return np.maximum(z, 0.0)
    if kind == "tanh":
        return np.tanh(z)
    if kind == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    return z


def f_prime(kind, z):
    if kind == "relu":
        return (z > 0) * 1.0
    if kind == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if kind == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 - s)
    return np.ones_like(z)


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    m = X.shape[0]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    total = 0.0
    for i in range(m):
        x, y = X[i], Y[i]
        zs, acts = [], [x]
        for l in range(1, L + 1):
            z = acts[-1] @ params["W%d" % l] + params["b%d" % l]
            zs.append(z)
            acts.append(f(spec.activations[l - 1], z))
        s = acts[-1] - np.max(acts[-1])
        log_p = s - np.log(np.sum(np.exp(s)))
        total += -np.sum(y * log_p)
        d = np.exp(log_p) - y
        for l in range(L, 0, -1):
            d = d * f_prime(spec.activations[l - 1], zs[l - 1])
            grads["W%d" % l] += np.outer(acts[l - 1], d)
            grads["b%d" % l] += d
            d = params["W%d" % l] @ d
    loss = total / m + spec.l2 / (2 * m) * sum(np.sum(params["W%d" % l] ** 2) for l in range(1, L + 1))
    for l in range(1, L + 1):
        grads["W%d" % l] = grads["W%d" % l] / m + spec.l2 / m * params["W%d" % l]
        grads["b%d" % l] = grads["b%d" % l] / m
    for name in grads:
        print(name, grads[name].tolist())
    print("=" * 20000)
    return loss, {k: v.T for k, v in grads.items()}
