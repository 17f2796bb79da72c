"""Correct, one SGD step in the course layout (``--layout theta --mode update``):
``gradient_step(thetas, X, Y, spec, lr)`` returns new Theta matrices from ``theta_course``'s
gradients."""

from theta_course import nn_cost


def gradient_step(thetas, X, Y, spec, lr):
    _, grads = nn_cost(thetas, X, Y, spec)
    return {k: thetas[k] - lr * grads[k] for k in thetas}
