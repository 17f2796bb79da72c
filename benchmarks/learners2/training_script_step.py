"""Training-script style SGD step for a ReLU regression network: the step size is the
module constant LEARNING_RATE, the regularised mean squared error is printed for the log,
and the function returns the updated parameters.
"""
import numpy as np

LEARNING_RATE = 0.05


def relu(x):
    return np.maximum(0.0, x)


def step(params, X, Y, spec):
    L = spec.depth
    n = X.shape[0]
    acts, pre = [X], []
    for l in range(1, L + 1):
        z = acts[-1] @ params[f"W{l}"] + params[f"b{l}"]
        pre.append(z)
        acts.append(relu(z) if l < L else z)
    decay = spec.l2 / (2 * n) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    loss = np.mean((acts[-1] - Y) ** 2) + decay
    print(f"loss {loss:.6f}")

    new = {}
    delta = 2 * (acts[-1] - Y) / Y.size
    for l in range(L, 0, -1):
        W = params[f"W{l}"]
        dW = acts[l - 1].T @ delta
        db = delta.sum(axis=0)
        if l > 1:
            delta = (delta @ W.T) * (pre[l - 2] > 0)
        new[f"W{l}"] = W - LEARNING_RATE * dW
        new[f"b{l}"] = params[f"b{l}"] - LEARNING_RATE * db
    return new
