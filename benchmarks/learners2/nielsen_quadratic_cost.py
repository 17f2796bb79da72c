"""Michael Nielsen's network.py (Neural Networks and Deep Learning, ch. 1-3): column vectors,
weights[l] of shape (out, in), biases (out, 1), backprop one example at a time, quadratic
cost C = 1/(2n) sum ||y - a||^2 with L2 (lmbda / (2n)) sum w^2.

Wrapped to take the W (in, out) / b (out,) dicts: W is Nielsen's w transposed.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class Network:
    def __init__(self, weights, biases):
        self.weights = weights
        self.biases = biases
        self.num_layers = len(weights) + 1

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def cost_derivative(self, output_activations, y):
        return output_activations - y

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)

    def total_cost(self, data, lmbda):
        cost = 0.0
        for x, y in data:
            a = self.feedforward(x)
            cost += 0.5 * np.linalg.norm(a - y) ** 2 / len(data)
        cost += 0.5 * (lmbda / len(data)) * sum(np.linalg.norm(w) ** 2 for w in self.weights)
        return cost

    def gradient(self, mini_batch, lmbda):
        n = len(mini_batch)
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        nabla_w = [nw / n + (lmbda / n) * w for nw, w in zip(nabla_w, self.weights)]
        nabla_b = [nb / n for nb in nabla_b]
        return nabla_b, nabla_w


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    weights = [params[f"W{l}"].T for l in range(1, L + 1)]
    biases = [params[f"b{l}"].reshape(-1, 1) for l in range(1, L + 1)]
    net = Network(weights, biases)
    data = [(X[i].reshape(-1, 1), Y[i].reshape(-1, 1)) for i in range(X.shape[0])]
    cost = net.total_cost(data, spec.l2)
    nabla_b, nabla_w = net.gradient(data, spec.l2)
    grads = {}
    for l in range(1, L + 1):
        grads[f"W{l}"] = nabla_w[l - 1].T
        grads[f"b{l}"] = nabla_b[l - 1].ravel()
    return cost, grads
