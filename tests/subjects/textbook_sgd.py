"""Correct, in the textbook's style (``--mode update --activations sigmoid --loss half_sse
--l2 0``): sigmoid neurons in every layer, the quadratic cost C = 1/(2n) sum_x ||y(x) - a(x)||^2,
backpropagation one training example at a time with column vectors, and one step of
mini-batch gradient descent, ``w -> w - (eta / n) sum_x dC_x/dw`` (Nielsen, "Neural Networks
and Deep Learning", chapters 1-2). No regularisation, so it is checked with ``--l2 0``.

The textbook keeps ``w`` as (out, in) and ``b`` as a column; the contract's ``W_l`` is
(in, out), so the step transposes on the way in and out.
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def cost_derivative(output_activations, y):
    return output_activations - y


def backprop(x, y, weights, biases):
    """(nabla_b, nabla_w): the gradient of C_x for one example, layer by layer."""
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    activation = x
    activations = [x]
    zs = []
    for b, w in zip(biases, weights, strict=True):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    delta = cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for i in range(2, len(weights) + 1):
        z = zs[-i]
        sp = sigmoid_prime(z)
        delta = np.dot(weights[-i + 1].transpose(), delta) * sp
        nabla_b[-i] = delta
        nabla_w[-i] = np.dot(delta, activations[-i - 1].transpose())
    return nabla_b, nabla_w


def update_mini_batch(params, X, Y, spec, eta):
    L = spec.depth
    weights = [params[f"W{i}"].T for i in range(1, L + 1)]
    biases = [params[f"b{i}"].reshape(-1, 1) for i in range(1, L + 1)]
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    for x, y in zip(X, Y, strict=True):
        delta_nabla_b, delta_nabla_w = backprop(x.reshape(-1, 1), y.reshape(-1, 1), weights, biases)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b, strict=True)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w, strict=True)]
    n = len(X)
    weights = [w - (eta / n) * nw for w, nw in zip(weights, nabla_w, strict=True)]
    biases = [b - (eta / n) * nb for b, nb in zip(biases, nabla_b, strict=True)]
    new = {}
    for i in range(1, L + 1):
        new[f"W{i}"] = weights[i - 1].T.copy()
        new[f"b{i}"] = biases[i - 1].ravel()
    return new
