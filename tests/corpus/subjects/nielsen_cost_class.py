"""Nielsen-style network with a cost class and per-example backprop(x, y) on column vectors."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def activation(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z


def activation_prime(name, z):
    if name == "sigmoid":
        return sigmoid(z) * (1 - sigmoid(z))
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


class QuadraticCost(object):

    @staticmethod
    def fn(a, y):
        """Return the cost associated with an output ``a`` and desired output ``y``."""
        return 0.5 * np.linalg.norm(a - y) ** 2

    @staticmethod
    def delta(z, a, y, name):
        """Return the error delta from the output layer."""
        return (a - y) * activation_prime(name, z)


class Network(object):

    def __init__(self, weights, biases, activations, cost=QuadraticCost):
        self.num_layers = len(weights) + 1
        self.weights = weights
        self.biases = biases
        self.activations = activations
        self.cost = cost

    def feedforward(self, a):
        for b, w, name in zip(self.biases, self.weights, self.activations):
            a = activation(name, np.dot(w, a) + b)
        return a

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation_ = x
        activations = [x]
        zs = []
        for b, w, name in zip(self.biases, self.weights, self.activations):
            z = np.dot(w, activation_) + b
            zs.append(z)
            activation_ = activation(name, z)
            activations.append(activation_)
        delta = self.cost.delta(zs[-1], activations[-1], y, self.activations[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = activation_prime(self.activations[-l], z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)

    def total_cost(self, data, lmbda):
        cost = 0.0
        for x, y in data:
            cost += self.cost.fn(self.feedforward(x), y) / len(data)
        cost += 0.5 * (lmbda / len(data)) * sum(np.linalg.norm(w) ** 2 for w in self.weights)
        return cost


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    net = Network([params["W%d" % l].T.copy() for l in range(1, L + 1)],
                  [params["b%d" % l].reshape(-1, 1).copy() for l in range(1, L + 1)],
                  list(spec.activations))
    data = [(x.reshape(-1, 1), y.reshape(-1, 1)) for x, y in zip(X, Y)]
    n = len(data)
    nabla_b = [np.zeros(b.shape) for b in net.biases]
    nabla_w = [np.zeros(w.shape) for w in net.weights]
    for x, y in data:
        delta_nabla_b, delta_nabla_w = net.backprop(x, y)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
    grads = {}
    for l in range(1, L + 1):
        grads["W%d" % l] = (nabla_w[l - 1] / n + (spec.l2 / n) * net.weights[l - 1]).T
        grads["b%d" % l] = (nabla_b[l - 1] / n).ravel()
    return net.total_cost(data, spec.l2), grads
