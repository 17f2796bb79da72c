"""A three-layer version of the ex4 cost function (two hidden layers), ported from my Octave
code: nn_params is Theta1(:); Theta2(:); Theta3(:) in Octave's column-major order.
Sigmoid hidden units, sigmoid outputs with the logistic cost, regularised."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def roll(nn_params, sizes):
    thetas, k = [], 0
    for s_in, s_out in zip(sizes[:-1], sizes[1:]):
        n = s_out * (s_in + 1)
        thetas.append(nn_params[k:k + n].reshape((s_out, s_in + 1), order="F"))
        k += n
    return thetas


def nn_cost_function(nn_params, X, Y, spec):
    Theta1, Theta2, Theta3 = roll(nn_params, spec.sizes)
    m, lam = X.shape[0], spec.l2
    ones = np.ones((m, 1))

    a1 = np.hstack([ones, X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([ones, sigmoid(z2)])
    z3 = a2 @ Theta2.T
    a3 = np.hstack([ones, sigmoid(z3)])
    h = sigmoid(a3 @ Theta3.T)

    J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    J += lam / (2 * m) * sum(np.sum(T[:, 1:] ** 2) for T in (Theta1, Theta2, Theta3))

    d4 = h - Y
    d3 = (d4 @ Theta3[:, 1:]) * sigmoid(z3) * (1 - sigmoid(z3))
    d2 = (d3 @ Theta2[:, 1:]) * sigmoid(z2) * (1 - sigmoid(z2))

    Theta1_grad = d2.T @ a1 / m
    Theta2_grad = d3.T @ a2 / m / m
    Theta3_grad = d4.T @ a3 / m
    for G, T in ((Theta1_grad, Theta1), (Theta2_grad, Theta2), (Theta3_grad, Theta3)):
        G[:, 1:] += lam / m * T[:, 1:]

    grad = np.concatenate([G.ravel(order="F") for G in (Theta1_grad, Theta2_grad, Theta3_grad)])
    return J, grad
