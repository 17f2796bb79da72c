"""A hand-written MLP with leaky ReLU in every layer under a squared-error loss (mse or
half_sse), as ``crosscheck verify --activations leaky_relu`` draws them. ``loss_and_grads``
uses the contract's negative slope 0.01; ``gan_slope`` uses 0.2 (a GAN's discriminator's),
which the contract's leaky_relu is not."""

import numpy as np


def _make(slope):
    def loss_and_grads(params, X, Y, spec):
        L, n = spec.depth, X.shape[0]
        zs, acts = [], [X]
        for i in range(1, L + 1):
            zs.append(acts[-1] @ params[f"W{i}"] + params[f"b{i}"])
            acts.append(np.where(zs[-1] > 0, zs[-1], slope * zs[-1]))
        diff = acts[-1] - Y
        if spec.loss == "mse":
            data, delta = np.mean(diff ** 2), 2 * diff / diff.size
        else:  # half_sse
            data, delta = np.sum(diff ** 2) / (2 * n), diff / n
        loss = data + spec.l2 / (2 * n) * sum(np.sum(params[f"W{i}"] ** 2) for i in range(1, L + 1))
        grads = {}
        for i in range(L, 0, -1):
            dz = delta * np.where(zs[i - 1] > 0, 1.0, slope)
            grads[f"W{i}"] = acts[i - 1].T @ dz + spec.l2 / n * params[f"W{i}"]
            grads[f"b{i}"] = dz.sum(axis=0)
            delta = dz @ params[f"W{i}"].T
        return float(loss), grads
    return loss_and_grads


loss_and_grads = _make(0.01)
gan_slope = _make(0.2)
