"""nnCostFunction from Andrew Ng's Machine Learning ex4, ported line by line from Octave.

nn_params is the unrolled [Theta1(:) ; Theta2(:)], column-major as Octave unrolls it.
Theta1 is (hidden, input + 1), Theta2 is (labels, hidden + 1), bias in the first column.
The log terms are written with logaddexp so that a saturated sigmoid does not give log(0).
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_gradient(z):
    g = sigmoid(z)
    return g * (1 - g)


def nn_cost_function(nn_params, X, y, spec):
    input_layer_size, hidden_layer_size, num_labels = spec.sizes
    lam = spec.l2
    split = hidden_layer_size * (input_layer_size + 1)
    Theta1 = np.reshape(nn_params[:split], (hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = np.reshape(nn_params[split:], (num_labels, hidden_layer_size + 1), order="F")
    m = X.shape[0]

    # Part 1: feedforward
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    z3 = a2 @ Theta2.T
    a3 = sigmoid(z3)

    # -log(h) = log(1 + exp(-z)), -log(1 - h) = log(1 + exp(z))
    J = np.sum(y * np.logaddexp(0, -z3) + (1 - y) * np.logaddexp(0, z3)) / m
    J += lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))

    # Part 2: backpropagation
    d3 = a3 - y
    d2 = (d3 @ Theta2[:, 1:]) * sigmoid_gradient(z2)
    Delta1 = d2.T @ a1
    Delta2 = d3.T @ a2

    Theta1_grad = Delta1 / m
    Theta2_grad = Delta2 / m
    Theta1_grad[:, 1:] += lam / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lam / m * Theta2[:, 1:]

    grad = np.concatenate([Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")])
    return J, grad
