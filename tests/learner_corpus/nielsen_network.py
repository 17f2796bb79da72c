"""Network.backprop from "Neural Networks and Deep Learning", chapter 2.

Weights are stored the book's way, w[l] of shape (n_out, n_in), activations as column
vectors, one training example at a time. Quadratic cost, sigmoid neurons, L2 weight decay
as in chapter 3. The wrapper converts the contract's params to the book's layout.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def backprop(biases, weights, x, y):
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    activation = x
    activations = [x]
    zs = []
    for b, w in zip(biases, weights):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for l in range(2, len(weights) + 1):
        z = zs[-l]
        sp = sigmoid_prime(z)
        delta = np.dot(weights[-l + 1].transpose(), delta) * sp
        nabla_b[-l] = delta
        nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
    return nabla_b, nabla_w, activations[-1]


def loss_and_grads(params, X, Y, spec):
    L, n, lmbda = spec.depth, X.shape[0], spec.l2
    weights = [params['W%d' % l].T for l in range(1, L + 1)]
    biases = [params['b%d' % l].reshape(-1, 1) for l in range(1, L + 1)]
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    cost = 0.0
    for x, y in zip(X, Y):
        x, y = x.reshape(-1, 1), y.reshape(-1, 1)
        delta_nabla_b, delta_nabla_w, a = backprop(biases, weights, x, y)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        cost += 0.5 * np.linalg.norm(a - y) ** 2 / n
    cost += 0.5 * (lmbda / n) * sum(np.linalg.norm(w) ** 2 for w in weights)
    grads = {}
    for l in range(1, L + 1):
        grads['W%d' % l] = (nabla_w[l - 1] / n + (lmbda / n) * weights[l - 1]).T
        grads['b%d' % l] = nabla_b[l - 1].ravel() / n
    return cost, grads
