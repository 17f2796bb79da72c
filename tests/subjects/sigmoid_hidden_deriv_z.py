"""A sigmoid network whose output delta is written apart and right, (a - Y) * a * (1 - a),
while the loop over the hidden layers applies the derivative to z: z * (1 - z). Works with
or without biases."""
import numpy as np


def loss_and_grads(params, X, Y, spec):
    L, n = spec.depth, X.shape[0]
    zs, acts = [], [X]
    for k in range(1, L + 1):
        zs.append(acts[-1] @ params[f"W{k}"] + params.get(f"b{k}", 0.0))
        acts.append(1 / (1 + np.exp(-zs[-1])))
    out = acts[-1]
    loss = np.mean((out - Y) ** 2)
    loss += spec.l2 / (2 * n) * sum(np.sum(params[f"W{k}"] ** 2) for k in range(1, L + 1))
    d = 2 * (out - Y) / out.size * out * (1 - out)
    grads = {}
    for k in range(L, 0, -1):
        grads[f"W{k}"] = acts[k - 1].T @ d + spec.l2 / n * params[f"W{k}"]
        if f"b{k}" in params:
            grads[f"b{k}"] = d.sum(axis=0)
        if k > 1:
            z = zs[k - 2]
            d = (d @ params[f"W{k}"].T) * z * (1 - z)
    return loss, grads
