"""A Python rewrite of Ng's vectorised nnCostFunction: the two Theta matrices are unrolled
row-major with .ravel(), cost and gradient returned together for scipy.optimize.minimize.
"""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def cost_function(nn_params, X, Y, spec):
    n_in, n_hidden, n_out = spec.sizes
    lmbda = spec.l2
    m = len(X)
    t1_size = n_hidden * (n_in + 1)
    theta1 = nn_params[:t1_size].reshape(n_hidden, n_in + 1)
    theta2 = nn_params[t1_size:].reshape(n_out, n_hidden + 1)

    a1 = np.c_[np.ones(m), X]
    z2 = a1 @ theta1.T
    a2 = np.c_[np.ones(m), sigmoid(z2)]
    h = sigmoid(a2 @ theta2.T)

    cost = -np.sum(Y * np.log(h) + (1 - Y) * np.log(1 - h)) / m
    reg = lmbda / (2 * m) * (np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))
    J = cost + reg

    delta3 = h - Y
    delta2 = (delta3 @ theta2[:, 1:]) * sigmoid(z2) * (1 - sigmoid(z2))
    theta1_grad = delta2.T @ a1 / m
    theta2_grad = delta3.T @ a2 / m
    theta1_grad[:, 1:] += lmbda / m * theta1[:, 1:]
    theta2_grad[:, 1:] += lmbda / m * theta2[:, 1:]
    return J, np.concatenate([theta1_grad.ravel(), theta2_grad.ravel()])
