"""Cost and gradient on one unrolled parameter vector (Theta1, Theta2 flattened row by row,
bias column first), for a generic optimiser; sigmoid hidden layer, softmax output."""
import numpy as np


def reshape_params(nn_params, sizes):
    n_in, n_hid, n_out = sizes
    cut = n_hid * (n_in + 1)
    T1 = nn_params[:cut].reshape(n_hid, n_in + 1)
    T2 = nn_params[cut:].reshape(n_out, n_hid + 1)
    return T1, T2


def cost_function(nn_params, X, Y, spec):
    T1, T2 = reshape_params(nn_params, spec.sizes)
    m, lam = X.shape[0], spec.l2
    A1 = np.hstack([np.ones((m, 1)), X])
    A2 = np.hstack([np.ones((m, 1)), 1 / (1 + np.exp(-A1 @ T1.T))])
    Z3 = A2 @ T2.T
    Z3 = Z3 - Z3.max(axis=1, keepdims=True)
    logP = Z3 - np.log(np.exp(Z3).sum(axis=1, keepdims=True))
    J = -np.sum(Y * logP) / m
    J += lam / (2 * m) * (np.sum(T1[:, 1:] ** 2) + np.sum(T2[:, 1:] ** 2))

    D3 = (np.exp(logP) - Y) / m
    D2 = (D3 @ T2[:, 1:]) * A2[:, 1:] * (1 - A2[:, 1:])
    G1 = D2.T @ A1
    G2 = D3.T @ A2
    G1[:, 1:] += lam / m * T1[:, 1:]
    G2[:, 1:] += lam / m * T2[:, 1:]
    grad = np.concatenate([G1.flatten("F"), G2.flatten("F")])
    return J, grad
