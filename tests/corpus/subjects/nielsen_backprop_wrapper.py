"""Nielsen-style Network with backprop(x, y) on column vectors, summed over the mini-batch by a wrapper."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def activate(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z


def activate_prime(name, z):
    if name == "sigmoid":
        return sigmoid(z) * (1 - sigmoid(z))
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0) * 1.0
    return np.ones(z.shape)


class MeanSquaredCost(object):
    @staticmethod
    def fn(a, y):
        return np.mean((a - y) ** 2)

    @staticmethod
    def delta(z, a, y, act):
        return 2.0 * (a - y) / len(y) * activate_prime(act, z)


class SoftmaxCrossEntropyCost(object):
    @staticmethod
    def fn(a, y):
        shifted = a - np.max(a)
        return -np.sum(y * (shifted - np.log(np.sum(np.exp(shifted)))))

    @staticmethod
    def delta(z, a, y, act):
        e = np.exp(z - np.max(z))
        return e / np.sum(e) - y


class SigmoidCrossEntropyCost(object):
    @staticmethod
    def fn(a, y):
        return np.sum(np.logaddexp(0.0, a) - y * a)

    @staticmethod
    def delta(z, a, y, act):
        return sigmoid(z) - y


COSTS = {"mse": MeanSquaredCost, "softmax_cross_entropy": SoftmaxCrossEntropyCost,
         "sigmoid_bce": SigmoidCrossEntropyCost}


class Network(object):

    def __init__(self, sizes, activations, weights, biases, cost):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.activations = activations
        self.weights = weights
        self.biases = biases
        self.cost = cost

    def feedforward(self, a):
        for b, w, name in zip(self.biases, self.weights, self.activations):
            a = activate(name, np.dot(w, a) + b)
        return a

    def backprop(self, x, y):
        """Return (nabla_b, nabla_w) for the cost of the single example (x, y)."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w, name in zip(self.biases, self.weights, self.activations):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = activate(name, z)
            activations.append(activation)
        delta = self.cost.delta(zs[-1], activations[-1], y, self.activations[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = activate_prime(self.activations[-l], z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    net = Network(list(spec.sizes), list(spec.activations),
                  [params["W%d" % l].T.copy() for l in range(1, L + 1)],
                  [params["b%d" % l].reshape(-1, 1).copy() for l in range(1, L + 1)],
                  COSTS[spec.loss])
    n = len(X)
    nabla_b = [np.zeros(b.shape) for b in net.biases]
    nabla_w = [np.zeros(w.shape) for w in net.weights]
    total = 0.0
    for x, y in zip(X, Y):
        x = x.reshape(-1, 1)
        y = y.reshape(-1, 1)
        delta_nabla_b, delta_nabla_w = net.backprop(x, y)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        total += net.cost.fn(net.feedforward(x), y)
    lmbda = spec.l2
    cost = total / n + 0.5 * (lmbda / n) * sum(np.linalg.norm(w) ** 2 for w in net.weights)
    grads = {}
    for l in range(1, L + 1):
        grads["W%d" % l] = (nabla_w[l - 1] / n + (lmbda / n) * net.weights[l - 1]).T
        grads["b%d" % l] = nabla_b[l - 1].ravel() / n
    return cost, grads
