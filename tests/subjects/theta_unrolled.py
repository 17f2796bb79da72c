"""Correct, unrolled (``--layout theta-unrolled``): ``nn_cost_function(nn_params, X, Y, spec)``
takes every Theta_l flattened row-major into one vector and returns ``(J, grad)`` with the
gradient unrolled the same way. Reuses its neighbour ``theta_course`` (imported as a sibling
file, as a learner's exercise folder would).
"""

import numpy as np
from theta_course import nn_cost


def nn_cost_function(nn_params, X, Y, spec):
    thetas, start = {}, 0
    for i in range(1, spec.depth + 1):
        rows, cols = spec.sizes[i], spec.sizes[i - 1] + 1
        thetas[f"Theta{i}"] = nn_params[start:start + rows * cols].reshape(rows, cols)
        start += rows * cols
    J, grads = nn_cost(thetas, X, Y, spec)
    return J, np.concatenate([grads[f"Theta{i}"].ravel() for i in range(1, spec.depth + 1)])
