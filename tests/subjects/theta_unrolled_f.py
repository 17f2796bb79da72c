"""Correct, unrolled column-major (``--layout theta-unrolled --unrolled-order F``): an Octave
port, ``nn_params = [Theta1(:); Theta2(:)]``, so every Theta_l is flattened with numpy's
``order="F"`` and the gradient comes back unrolled the same way.
"""

import numpy as np
from theta_course import nn_cost


def nn_cost_function(nn_params, X, Y, spec):
    thetas, start = {}, 0
    for i in range(1, spec.depth + 1):
        rows, cols = spec.sizes[i], spec.sizes[i - 1] + 1
        thetas[f"Theta{i}"] = nn_params[start:start + rows * cols].reshape(rows, cols, order="F")
        start += rows * cols
    J, grads = nn_cost(thetas, X, Y, spec)
    return J, np.concatenate([grads[f"Theta{i}"].ravel(order="F")
                              for i in range(1, spec.depth + 1)])
