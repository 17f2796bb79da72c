"""Course-style two-layer network (Theta1, Theta2, bias in column 0), vectorised cost and gradients."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_gradient(z):
    return sigmoid(z) * (1 - sigmoid(z))


def nn_cost(params, X, Y, spec):
    Theta1, Theta2 = params["Theta1"], params["Theta2"]
    num_labels = Theta2.shape[0]
    lam = spec.l2
    m = X.shape[0]
    y = (np.argmax(Y, axis=1) + 1).reshape(-1, 1)

    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    z3 = a2 @ Theta2.T
    a3 = sigmoid(z3)

    log_h = -np.logaddexp(0, -z3)
    log_1_minus_h = -np.logaddexp(0, z3)
    J = (1 / m) * np.sum(-y * log_h - (1 - y) * log_1_minus_h)
    J += lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))

    y_matrix = np.eye(num_labels)[y.ravel() - 1]
    d3 = a3 - y_matrix
    d2 = (d3 @ Theta2[:, 1:]) * sigmoid_gradient(z2)
    Theta1_grad = (d2.T @ a1) / m
    Theta2_grad = (d3.T @ a2) / m
    Theta1_grad[:, 1:] += lam / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lam / m * Theta2[:, 1:]
    return J, {"Theta1": Theta1_grad, "Theta2": Theta2_grad}
