"""Andrew Ng's ex4 backpropagation the way the handout suggests first: a for-loop over the
m training examples (t = 1:m), accumulating Delta, then dividing by m and regularising.

Theta1 (hidden, input + 1) and Theta2 (labels, hidden + 1), bias in the first column.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_gradient(z):
    return sigmoid(z) * (1.0 - sigmoid(z))


def nn_cost_function(params, X, y, spec):
    Theta1 = params["Theta1"]
    Theta2 = params["Theta2"]
    lam = spec.l2
    m = X.shape[0]

    J = 0.0
    Delta1 = np.zeros(Theta1.shape)
    Delta2 = np.zeros(Theta2.shape)
    for t in range(m):
        a1 = np.concatenate(([1.0], X[t]))
        z2 = Theta1 @ a1
        a2 = np.concatenate(([1.0], sigmoid(z2)))
        z3 = Theta2 @ a2
        a3 = sigmoid(z3)
        yt = y[t]
        # y*log(h) + (1-y)*log(1-h), written so that it cannot take log(0)
        J -= np.sum(-yt * np.logaddexp(0, -z3) - (1 - yt) * np.logaddexp(0, z3))

        delta3 = a3 - yt
        delta2 = (Theta2[:, 1:].T @ delta3) * sigmoid_gradient(z2)
        Delta2 += np.outer(delta3, a2)
        Delta1 += np.outer(delta2, a1)

    J = J / m + lam / (2 * m) * (np.sum(Theta1 ** 2) + np.sum(Theta2 ** 2))
    Theta1_grad = Delta1 / m + (lam / m) * Theta1
    Theta2_grad = Delta2 / m + (lam / m) * Theta2
    return J, {"Theta1": Theta1_grad, "Theta2": Theta2_grad}
