"""Per-example loop: each row of X is pushed through the net as a column vector, gradients accumulated in dicts."""
import numpy as np


def forward_one(params, x, spec):
    L = len(spec.sizes) - 1
    zs, acts = {}, {0: x}
    for l in range(1, L + 1):
        z = params["W%d" % l].T @ acts[l - 1] + params["b%d" % l][:, None]
        kind = spec.activations[l - 1]
        if kind == "sigmoid":
            a = 1 / (1 + np.exp(-z))
        elif kind == "tanh":
            a = np.tanh(z)
        elif kind == "relu":
            a = np.maximum(z, 0)
        else:
            a = z
        zs[l], acts[l] = z, a
    return zs, acts


def derivative(kind, z, a):
    if kind == "sigmoid":
        return a * (1 - a)
    if kind == "tanh":
        return 1 - np.tanh(z)
    if kind == "relu":
        return (z > 0) * 1.0
    return np.ones_like(z)


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    m = X.shape[0]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    total = 0.0
    for i in range(m):
        x = X[i].reshape(-1, 1)
        y = Y[i].reshape(-1, 1)
        zs, acts = forward_one(params, x, spec)
        out = acts[L]
        if spec.loss == "mse":
            total += np.mean((out - y) ** 2)
            dout = 2 * (out - y) / out.shape[0]
        elif spec.loss == "softmax_cross_entropy":
            s = out - out.max()
            logp = s - np.log(np.exp(s).sum())
            total += -np.sum(y * logp)
            dout = np.exp(logp) - y
        else:
            total += np.sum(np.logaddexp(0, out) - y * out)
            dout = 1 / (1 + np.exp(-out)) - y
        for l in range(L, 0, -1):
            delta = dout * derivative(spec.activations[l - 1], zs[l], acts[l])
            grads["W%d" % l] += acts[l - 1] @ delta.T
            grads["b%d" % l] += delta.ravel()
            dout = params["W%d" % l] @ delta
    loss = total / m + spec.l2 / (2 * m) * sum(np.sum(params["W%d" % l] ** 2) for l in range(1, L + 1))
    for l in range(1, L + 1):
        grads["W%d" % l] = grads["W%d" % l] / m + spec.l2 / m * params["W%d" % l]
        grads["b%d" % l] = grads["b%d" % l] / m
    return loss, grads
