"""One step of minibatch gradient descent for a tanh network with a mean-squared-error loss.

The learning rate is a module constant, the way a training script sets it once at the top.
"""
import numpy as np

LEARNING_RATE = 0.05


def train_step(params, X, Y, spec):
    L = spec.depth
    m = X.shape[0]
    acts = [X]
    for i in range(1, L + 1):
        z = acts[-1] @ params[f"W{i}"] + params[f"b{i}"]
        acts.append(np.tanh(z) if i < L else z)

    # d(mean((yhat - y)^2)) / d yhat
    delta = 2.0 * (acts[-1] - Y) / Y.size

    grads = {}
    for i in range(L, 0, -1):
        grads[f"W{i}"] = acts[i - 1].T @ delta + (spec.l2 / m) * params[f"W{i}"]
        grads[f"b{i}"] = delta.sum(axis=0)
        if i > 1:
            delta = (delta @ params[f"W{i}"].T) * (1.0 - acts[i - 1] ** 2)

    new_params = {}
    for name, value in params.items():
        new_params[name] = value - LEARNING_RATE * grads[name]
    return new_params
