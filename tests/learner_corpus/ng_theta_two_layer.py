"""Two-layer network with Theta1, Theta2 (bias in the first column), written from the lecture
slides: a1 -> z2 -> a2 -> z3 -> h, delta3 = h - y, delta2 = Theta2' delta3 .* g'(z2)."""
import numpy as np


def g(z):
    return 1.0 / (1.0 + np.exp(-z))


def nn_cost(Thetas, X, Y, spec):
    Theta1, Theta2 = Thetas["Theta1"], Thetas["Theta2"]
    lam = spec.l2
    m = X.shape[0]

    a1 = np.insert(X, 0, 1.0, axis=1)
    z2 = a1 @ Theta1.T
    a2 = np.insert(g(z2), 0, 1.0, axis=1)
    z3 = a2 @ Theta2.T
    h = g(z3)

    cost = -(Y * np.log(h) + (1 - Y) * np.log(1 - h)).sum() / m
    reg = (Theta1[:, 1:] ** 2).sum() + (Theta2[:, 1:] ** 2).sum()
    cost += lam * reg / (2 * m)

    delta3 = h - Y
    delta2 = (delta3 @ Theta2)[:, 1:] * z2 * (1 - z2)

    Theta1_grad = delta2.T @ a1 / m
    Theta2_grad = delta3.T @ a2 / m
    Theta1_grad[:, 1:] += lam / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lam / m * Theta2[:, 1:]
    return cost, {"Theta1": Theta1_grad, "Theta2": Theta2_grad}
