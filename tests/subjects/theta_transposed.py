"""Broken (``--layout theta``): returns each Theta gradient as ``a_prev.T @ d``, shape
(in + 1, out), the transpose of Theta's (out, in + 1)."""

from theta_course import nn_cost


def nn_cost_transposed(thetas, X, Y, spec):
    J, grads = nn_cost(thetas, X, Y, spec)
    return J, {k: g.T for k, g in grads.items()}  # BUG: (in + 1, out)
