"""Nielsen-style network (cost class, per-example backprop on column vectors) adapted to several activations."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def act(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z


def act_prime(name, z):
    if name == "sigmoid":
        return sigmoid_prime(z)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0) * 1.0
    return np.ones(z.shape)


class QuadraticCost(object):

    @staticmethod
    def fn(a, y):
        return 0.5 * np.linalg.norm(a - y) ** 2

    @staticmethod
    def delta(z, a, y, name):
        return (a - y) * act_prime(name, z)


class Network(object):

    def __init__(self, sizes, activations, weights, biases):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.activations = activations
        self.weights = weights
        self.biases = biases
        self.cost = QuadraticCost

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w, name in zip(self.biases, self.weights, self.activations):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = act(name, z)
            activations.append(activation)
        cost = self.cost.fn(activations[-1], y)
        delta = self.cost.delta(zs[-1], activations[-1], y, self.activations[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            sp = act_prime(self.activations[-l], activations[-l])
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return cost, nabla_b, nabla_w


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    net = Network(spec.sizes, spec.activations,
                  [params["W%d" % l].T for l in range(1, L + 1)],
                  [params["b%d" % l].reshape(-1, 1) for l in range(1, L + 1)])
    n = len(X)
    lmbda = spec.l2
    total = 0.0
    nabla_b = [np.zeros(b.shape) for b in net.biases]
    nabla_w = [np.zeros(w.shape) for w in net.weights]
    for x, y in zip(X, Y):
        c, delta_nabla_b, delta_nabla_w = net.backprop(x.reshape(-1, 1), y.reshape(-1, 1))
        total += c
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
    cost = total / n + 0.5 * (lmbda / n) * sum(np.linalg.norm(w) ** 2 for w in net.weights)
    grads = {}
    for l in range(1, L + 1):
        grads["W%d" % l] = (nabla_w[l - 1] / n).T + (lmbda / n) * params["W%d" % l]
        grads["b%d" % l] = (nabla_b[l - 1] / n).ravel()
    return cost, grads
