"""Nielsen-style Network with update_mini_batch: per-example backprop, nabla sums, L2 weight decay in the step."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def act(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    return z


def act_prime(name, z):
    if name == "sigmoid":
        return sigmoid(z) * (1 - sigmoid(z))
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


class Network(object):

    def __init__(self, weights, biases, activations, loss):
        self.num_layers = len(weights) + 1
        self.weights = weights
        self.biases = biases
        self.activations = activations
        self.loss = loss

    def output_delta(self, z, a, y):
        if self.loss == "mse":
            return 2 * (a - y) / len(y) * act_prime(self.activations[-1], z)
        if self.loss == "softmax_cross_entropy":
            e = np.exp(z - np.max(z))
            return e / np.sum(e) - y
        return sigmoid(z) - y

    def update_mini_batch(self, mini_batch, eta, lmbda):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        n = len(mini_batch)
        self.weights = [(1 - eta * (lmbda / n)) * w - (eta / n) * nw
                        for w, nw in zip(self.weights, nabla_w)]

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
        delta = self.output_delta(zs[-1], activations[-1], y)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            sp = act_prime(self.activations[-l], zs[-l])
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)


def sgd_step(params, X, Y, spec, lr):
    L = len(spec.sizes) - 1
    net = Network([params["W%d" % l].T.copy() for l in range(1, L + 1)],
                  [params["b%d" % l].reshape(-1, 1).copy() for l in range(1, L + 1)],
                  list(spec.activations), spec.loss)
    mini_batch = [(x.reshape(-1, 1), y.reshape(-1, 1)) for x, y in zip(X, Y)]
    net.update_mini_batch(mini_batch, lr, spec.l2)
    new_params = {}
    for l in range(1, L + 1):
        new_params["W%d" % l] = net.weights[l - 1].T.copy()
        new_params["b%d" % l] = net.biases[l - 1].ravel().copy()
    return new_params
