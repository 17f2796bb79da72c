"""Per-example loop over the rows of X (kept as 1 x n rows), accumulating cost and gradients, then averaging."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def activate(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z


def activate_grad(name, z, a):
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a * a
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    m = X.shape[0]
    lam = spec.l2
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    J = 0.0
    for i in range(m):
        x = X[i:i + 1]
        y = Y[i:i + 1]
        zs, acts = [], [x]
        for l in range(1, L + 1):
            z = acts[-1] @ params["W%d" % l] + params["b%d" % l]
            zs.append(z)
            acts.append(activate(spec.activations[l - 1], z))
        out = acts[-1]

        if spec.loss == "mse":
            J += np.mean((out - y) ** 2)
            d = 2 * (out - y) / out.size
        elif spec.loss == "softmax_cross_entropy":
            s = out - out.max()
            log_p = s - np.log(np.sum(np.exp(s)))
            J += -np.sum(y * log_p)
            d = np.exp(log_p) - y
        else:
            J += np.sum(np.logaddexp(0, out) - y * out)
            d = sigmoid(out) - y

        for l in range(L, 0, -1):
            d = d * activate_grad(spec.activations[l - 1], zs[l - 1], acts[l])
            grads["W%d" % l] += acts[l - 1].T @ d
            grads["b%d" % l] += d[0]
            d = d @ params["W%d" % l].T

        J = J / m + lam / (2 * m) * sum(np.sum(params["W%d" % l] ** 2) for l in range(1, L + 1))
        for l in range(1, L + 1):
            grads["W%d" % l] = grads["W%d" % l] / m + lam / m * params["W%d" % l]
            grads["b%d" % l] = grads["b%d" % l] / m
        return J, grads
