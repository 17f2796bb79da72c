"""Nielsen-style backprop (neuralnetworksanddeeplearning.com, chapter 2): column vectors,
weights w of shape (n_out, n_in), one training example at a time, quadratic cost.

The xw parameters are converted to that layout and the gradients converted back.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def backprop(weights, biases, x, y):
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
        delta = np.dot(weights[-l + 1].transpose(), delta) * sigmoid_prime(zs[-l])
        nabla_b[-l] = delta
        nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
    return nabla_b, nabla_w, activations[-1]


def loss_and_grads(params, X, Y, spec):
    L, n = spec.depth, X.shape[0]
    weights = [params[f"W{l}"].T for l in range(1, L + 1)]
    biases = [params[f"b{l}"].reshape(-1, 1) for l in range(1, L + 1)]
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    cost = 0.0
    for x, y in zip(X, Y):
        db, dw, out = backprop(weights, biases, x.reshape(-1, 1), y.reshape(-1, 1))
        nabla_b = [nb + d for nb, d in zip(nabla_b, db)]
        nabla_w = [nw + d for nw, d in zip(nabla_w, dw)]
        cost += 0.5 * np.sum((out - y.reshape(-1, 1)) ** 2)
    cost = cost / n + spec.l2 / (2 * n) * sum(np.sum(w ** 2) for w in weights)
    grads = {}
    for l in range(1, L + 1):
        grads[f"W{l}"] = nabla_w[l - 1] / n + spec.l2 / n * weights[l - 1]
        grads[f"b{l}"] = nabla_b[l - 1].ravel() / n
    return cost, grads
