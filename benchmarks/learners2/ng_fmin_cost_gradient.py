"""Cost and gradient for scipy.optimize.fmin_cg, after Ng's ex4: one function of the unrolled
parameter vector (numpy's default row-major unrolling), a hidden sigmoid layer and a sigmoid
output per class with the regularised logistic cost.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_gradient(z):
    return z * (1 - z)


def neg_log_sigmoid(z):
    return np.logaddexp(0, -z)


def nn_cost_and_grad(nn_params, X, y, spec):
    n_in, n_hid, n_lab = spec.sizes
    lam = spec.l2
    m = X.shape[0]
    Theta1 = nn_params[: n_hid * (n_in + 1)].reshape(n_hid, n_in + 1)
    Theta2 = nn_params[n_hid * (n_in + 1):].reshape(n_lab, n_hid + 1)

    a1 = np.insert(X, 0, 1.0, axis=1)
    z2 = a1 @ Theta1.T
    a2 = np.insert(sigmoid(z2), 0, 1.0, axis=1)
    z3 = a2 @ Theta2.T
    a3 = sigmoid(z3)
    J = np.sum(y * neg_log_sigmoid(z3) + (1 - y) * neg_log_sigmoid(-z3)) / m

    d3 = a3 - y
    d2 = d3 @ Theta2[:, 1:] * sigmoid_gradient(z2)
    Theta1_grad = d2.T @ a1 / m
    Theta2_grad = d3.T @ a2 / m
    Theta1_grad[:, 1:] += lam / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lam / m * Theta2[:, 1:]
    return J, np.concatenate([Theta1_grad.flatten(), Theta2_grad.flatten()])
