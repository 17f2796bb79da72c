"""Sigmoid MLP in float32 throughout (the dataset was stored as float32 and casting to float64
doubled memory). Quadratic cost C = 1/(2m) sum ||a - y||^2 plus L2 weight decay."""
import numpy as np


def sigmoid(z):
    return np.float32(1) / (np.float32(1) + np.exp(-z))


def loss_and_grads(params, X, Y, spec):
    f32 = np.float32
    m, L, lam = f32(X.shape[0]), spec.depth, f32(spec.l2)
    acts = [X]
    for l in range(1, L + 1):
        acts.append(sigmoid(acts[-1] @ params[f"W{l}"] + params[f"b{l}"]))

    err = acts[-1] - Y
    cost = f32(0.5) * np.sum(err * err) / m
    cost += lam / (f32(2) * m) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))

    grads = {}
    delta = err * acts[-1] * (f32(1) - acts[-1]) / m
    for l in range(L, 0, -1):
        W = params[f"W{l}"]
        grads[f"W{l}"] = acts[l - 1].T @ delta + f32(0.5) * lam / m * W
        grads[f"b{l}"] = delta.sum(axis=0)
        delta = (delta @ W.T) * acts[l - 1] * (f32(1) - acts[l - 1])
    return cost, grads
