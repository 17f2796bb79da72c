"""Course-style two-layer network (Theta1, Theta2 with the bias in column 0), vectorised cost and gradients."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_gradient(z):
    g = sigmoid(z)
    return g * (1 - g)


def cost_and_gradients(params, X, Y, spec):
    Theta1 = params["Theta1"]
    Theta2 = params["Theta2"]
    lam = spec.l2
    m = X.shape[0]

    # Part 1: feedforward
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    z3 = a2 @ Theta2.T
    h = sigmoid(z3)

    # log(h) and log(1 - h) written through logaddexp so they stay finite
    log_h = -np.logaddexp(0, -z3)
    log_one_minus_h = -np.logaddexp(0, z3)
    J = (1 / m) * np.sum(-Y * log_h - (1 - Y) * log_one_minus_h)
    J += (lam / (2 * m)) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))

    # Part 2: backpropagation
    d3 = h - Y
    d2 = (d3 @ Theta2[:, 1:]) * sigmoid_gradient(z2)
    Delta1 = d2.T @ a1
    Delta2 = d3.T @ a2

    Theta1_grad = Delta1 / m
    Theta2_grad = Delta2 / m

    # Part 3: regularisation (not on the bias column)
    Theta1_grad[:, 1:] += (lam / m) * Theta1[:, 1:]
    Theta2_grad[:, 1:] += (lam / m) * Theta2[:, 1:]

    return J, {"Theta1": Theta1_grad, "Theta2": Theta2_grad}
