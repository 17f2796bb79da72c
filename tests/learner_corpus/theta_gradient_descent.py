"""The body of the course's gradient-descent loop for a network with Theta matrices
(bias in column 0): one update of every Theta with a fixed alpha, as in
    for iter = 1:num_iters, Theta = Theta - alpha * grad; end
Sigmoid units everywhere, logistic cost on the output."""
import numpy as np

ALPHA = 1.0


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def gradient_descent_step(Thetas, X, Y, spec):
    m, L, lam = X.shape[0], spec.depth, spec.l2
    a = [np.c_[np.ones(m), X]]
    for l in range(1, L + 1):
        h = sigmoid(a[-1] @ Thetas["Theta%d" % l].T)
        a.append(np.c_[np.ones(m), h] if l < L else h)

    delta = a[-1] - Y
    new = {}
    for l in range(L, 0, -1):
        Theta = Thetas["Theta%d" % l]
        grad = delta.T @ a[l - 1] / m
        grad[:, 1:] += lam / m * Theta[:, 1:]
        new["Theta%d" % l] = Theta - ALPHA * grad
        if l > 1:
            delta = (delta @ Theta[:, 1:]) * a[l - 1][:, 1:] * (1 - a[l - 1][:, 1:])
    return new
