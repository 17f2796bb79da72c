"""Broken (``--layout theta-unrolled``): returns the unrolled gradient as a column vector
(n, 1), the MATLAB habit, instead of a 1-D vector."""

from theta_unrolled import nn_cost_function


def nn_cost_column(nn_params, X, Y, spec):
    J, grad = nn_cost_function(nn_params, X, Y, spec)
    return J, grad.reshape(-1, 1)  # BUG: should stay 1-D
