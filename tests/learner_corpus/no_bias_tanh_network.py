"""A tanh network without bias units (inputs are assumed centred), trained on the mean squared
error. The weight matrices are the only parameters: params = {"W1": ..., "W2": ..., ...}."""
import numpy as np


def mse_backprop(weights, X, Y, spec):
    L = spec.depth
    batch = X.shape[0]
    h = [X]
    z = []
    for i in range(L):
        z.append(h[-1] @ weights[f"W{i + 1}"])
        h.append(np.tanh(z[-1]))

    loss = np.mean((h[-1] - Y) ** 2)
    loss += spec.l2 / (2 * batch) * sum(np.sum(w ** 2) for w in weights.values())

    g = {}
    dh = 2 * (h[-1] - Y) / Y.size
    dz = dh * (1 - h[-1] ** 2)
    for i in reversed(range(L)):
        g[f"W{i + 1}"] = h[i].T @ dz + spec.l2 / batch * weights[f"W{i + 1}"]
        if i > 0:
            dh = dz @ weights[f"W{i + 1}"].T
            dz = dh * (1 - z[i - 1] ** 2)
    return loss, g
