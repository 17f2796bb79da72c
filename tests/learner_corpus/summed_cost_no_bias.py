"""A bias-free tanh network with the summed squared error  E = sum_n 1/2 ||y_n - t_n||^2
and weight decay  lambda/2 sum ||W||^2  (textbook notation: the error is a sum over the
training patterns, not a mean)."""
import numpy as np


def error_and_gradient(weights, X, T, spec):
    lam = spec.l2
    n_layers = spec.depth
    outputs = [X]
    for k in range(n_layers):
        W = weights["W" + str(k + 1)]
        net = outputs[-1] @ W
        outputs.append(np.tanh(net) if k < n_layers - 1 else net)

    residual = outputs[-1] - T
    E = 0.5 * np.sum(residual ** 2)
    E += 0.5 * lam * sum(np.sum(weights["W" + str(k + 1)] ** 2) for k in range(n_layers))

    gradient = {}
    err = residual
    for k in reversed(range(n_layers)):
        W = weights["W" + str(k + 1)]
        gradient["W" + str(k + 1)] = outputs[k].T @ err + lam * W
        if k > 0:
            err = (err @ W.T) * (1 - outputs[k] ** 2)
    return E, gradient
