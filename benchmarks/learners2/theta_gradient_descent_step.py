"""One batch gradient-descent step in the Theta convention of Ng's course: Theta_l has the
bias in column 0, a_l gets a column of ones prepended, alpha is passed in. Sigmoid hidden
layers, a softmax output trained with cross-entropy, regularisation lambda/(2m) sum Theta^2
over the non-bias columns.
"""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def add_ones(A):
    return np.hstack([np.ones((A.shape[0], 1)), A])


def gradient_descent_step(thetas, X, Y, spec, alpha):
    L = spec.depth
    m = X.shape[0]
    lam = spec.l2
    A = [add_ones(X)]
    for l in range(1, L + 1):
        z = A[-1] @ thetas[f"Theta{l}"].T
        if l < L:
            A.append(add_ones(sigmoid(z)))
        else:
            z = z - z.max(axis=1, keepdims=True)
            P = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)

    new_thetas = {}
    delta = (P - Y) / m
    for l in range(L, 0, -1):
        Theta = thetas[f"Theta{l}"]
        grad = delta.T @ A[l - 1]
        grad[:, 1:] += lam / m * Theta[:, 1:]
        if l > 1:
            a = A[l - 1][:, 1:]
            delta = (delta @ Theta[:, 1:]) * a * (1 - a)
        new_thetas[f"Theta{l}"] = Theta - alpha * grad
    return new_thetas
