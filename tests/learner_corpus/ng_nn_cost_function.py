"""nnCostFunction, ported line by line from the Octave exercise (ex4).

nn_params is the unrolled vector of Theta1 and Theta2, unrolled the Octave way (Theta(:)).
Sigmoid hidden layer, sigmoid output units with the logistic cost, Y given as rows.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_gradient(z):
    g = sigmoid(z)
    return g * (1 - g)


def nn_cost_function(nn_params, X, Y, spec):
    input_layer_size, hidden_layer_size, num_labels = spec.sizes
    lam = spec.l2
    n1 = hidden_layer_size * (input_layer_size + 1)
    Theta1 = np.reshape(nn_params[:n1], (hidden_layer_size, input_layer_size + 1), order='F')
    Theta2 = np.reshape(nn_params[n1:], (num_labels, hidden_layer_size + 1), order='F')
    m = X.shape[0]

    # Part 1: feedforward
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    z3 = a2 @ Theta2.T
    h = sigmoid(z3)

    J = (1 / m) * np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h))
    J += (lam / (2 * m)) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))

    # Part 2: backpropagation
    d3 = h - Y
    d2 = (d3 @ Theta2)[:, 1:] * sigmoid_gradient(z2)

    Delta1 = d2.T @ a1
    Delta2 = d3.T @ a2

    Theta1_grad = Delta1 / m
    Theta2_grad = Delta2 / m

    # Part 3: regularization (not the bias column)
    Theta1_grad[:, 1:] += (lam / m) * Theta1[:, 1:]
    Theta2_grad[:, 1:] += (lam / m) * Theta2[:, 1:]

    grad = np.concatenate([Theta1_grad.ravel(order='F'), Theta2_grad.ravel(order='F')])
    return J, grad
