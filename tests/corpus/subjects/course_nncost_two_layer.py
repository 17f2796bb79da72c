"""Course-style nnCostFunction for a two-layer network: unrolled nn_params, sigmoid units, bias in column 0."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_gradient(z):
    return sigmoid(z) * (1.0 - sigmoid(z))


def nn_cost_function(nn_params, X, Y, spec):
    input_layer_size, hidden_layer_size, num_labels = spec.sizes
    lam = spec.l2
    split = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:split].reshape(hidden_layer_size, input_layer_size + 1)
    Theta2 = nn_params[split:].reshape(num_labels, hidden_layer_size + 1)
    m = X.shape[0]

    a1 = np.concatenate([np.ones((m, 1)), X], axis=1)
    z2 = a1.dot(Theta1.T)
    a2 = np.concatenate([np.ones((m, 1)), sigmoid(z2)], axis=1)
    z3 = a2.dot(Theta2.T)
    a3 = sigmoid(z3)

    J = np.sum(np.logaddexp(0, z3) - Y * z3) / m
    J += (lam / (2 * m)) * (np.sum(np.square(Theta1)) + np.sum(np.square(Theta2)))

    delta3 = a3 - Y
    delta2 = delta3.dot(Theta2[:, 1:]) * sigmoid_gradient(a2[:, 1:])
    Theta1_grad = delta2.T.dot(a1) / m + (lam / m) * Theta1
    Theta2_grad = delta3.T.dot(a2) / m + (lam / m) * Theta2

    grad = np.concatenate([Theta1_grad.ravel(), Theta2_grad.ravel()])
    return J, grad
