"""Nielsen's network2.py structure (Neural Networks and Deep Learning, ch. 3) with the
quadratic cost: a cost class with fn and delta, column vectors, one example at a time.

Wrapped to take the W (in, out) / b (out,) dicts: W is Nielsen's w transposed.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class QuadraticCost:
    @staticmethod
    def fn(a, y):
        return 0.5 * np.linalg.norm(a - y) ** 2

    @staticmethod
    def delta(z, a, y):
        return a - y


def backprop(weights, biases, x, y, cost):
    activation = x
    activations = [x]
    zs = []
    for b, w in zip(biases, weights):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    nabla_b = [None] * len(biases)
    nabla_w = [None] * len(weights)
    delta = cost.delta(zs[-1], activations[-1], y)
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for l in range(2, len(weights) + 1):
        delta = np.dot(weights[-l + 1].transpose(), delta) * sigmoid_prime(zs[-l])
        nabla_b[-l] = delta
        nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
    return activations[-1], nabla_b, nabla_w


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    n = X.shape[0]
    weights = [params[f"W{l}"].T for l in range(1, L + 1)]
    biases = [params[f"b{l}"][:, None] for l in range(1, L + 1)]
    cost = QuadraticCost
    total = 0.0
    sum_b = [np.zeros_like(b) for b in biases]
    sum_w = [np.zeros_like(w) for w in weights]
    for i in range(n):
        x, y = X[i][:, None], Y[i][:, None]
        a, nb, nw = backprop(weights, biases, x, y, cost)
        total += cost.fn(a, y)
        sum_b = [s + d for s, d in zip(sum_b, nb)]
        sum_w = [s + d for s, d in zip(sum_w, nw)]
    total = total / n + 0.5 * (spec.l2 / n) * sum(np.sum(w * w) for w in weights)
    grads = {}
    for l in range(1, L + 1):
        grads[f"W{l}"] = (sum_w[l - 1] / n + (spec.l2 / n) * weights[l - 1]).T
        grads[f"b{l}"] = (sum_b[l - 1] / n).ravel()
    return total, grads
