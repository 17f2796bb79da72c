"""Two-layer network in the Ng course's notation: Theta1, Theta2 with the bias in column 0.

Sigmoid hidden layer, sigmoid output units with the logistic (cross-entropy) cost,
regularisation over every column but the bias column.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def nn_cost(thetas, X, Y, spec):
    Theta1, Theta2 = thetas["Theta1"], thetas["Theta2"]
    m = X.shape[0]
    lam = spec.l2

    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    z3 = a2 @ Theta2.T
    h = sigmoid(z3)

    # sum of -y log(h) - (1 - y) log(1 - h), written on z3 so that it stays finite
    J = np.sum(np.logaddexp(0, z3) - Y * z3) / m
    J += lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))

    d3 = h - Y
    d2 = (d3 @ Theta2[:, :-1]) * sigmoid(z2) * (1 - sigmoid(z2))

    Delta1 = d2.T @ a1
    Delta2 = d3.T @ a2

    Theta1_grad = Delta1 / m
    Theta2_grad = Delta2 / m
    Theta1_grad[:, 1:] += lam / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lam / m * Theta2[:, 1:]
    return J, {"Theta1": Theta1_grad, "Theta2": Theta2_grad}
