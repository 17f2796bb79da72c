"""Backpropagation the way chapter 2 of "Neural Networks and Deep Learning" lays it out,
one example at a time with column vectors, rewritten with my own variable names.
Cost: C = 1/(2n) sum ||y - a||^2, sigmoid layers, no regularisation."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1.0 - sigmoid(z))


def example_gradients(ws, bs, x, y):
    zs, activations = [], [x]
    for w, b in zip(ws, bs):
        zs.append(w @ activations[-1] + b)
        activations.append(sigmoid(zs[-1]))
    nabla_w = [None] * len(ws)
    nabla_b = [None] * len(bs)
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
    nabla_w[-1] = delta @ activations[-2].T
    nabla_b[-1] = delta
    for l in range(2, len(ws) + 1):
        sp = sigmoid_prime(activations[-l])
        delta = (ws[-l + 1].T @ delta) * sp
        nabla_w[-l] = delta @ activations[-l - 1].T
        nabla_b[-l] = delta
    return nabla_w, nabla_b, activations[-1]


def cost_and_gradients(params, X, Y, spec):
    n = len(X)
    ws = [params["W%d" % (i + 1)].T for i in range(spec.depth)]
    bs = [params["b%d" % (i + 1)][:, None] for i in range(spec.depth)]
    sum_w = [np.zeros_like(w) for w in ws]
    sum_b = [np.zeros_like(b) for b in bs]
    C = 0.0
    for x, y in zip(X, Y):
        nw, nb, a = example_gradients(ws, bs, x[:, None], y[:, None])
        sum_w = [s + d for s, d in zip(sum_w, nw)]
        sum_b = [s + d for s, d in zip(sum_b, nb)]
        C += np.sum((a - y[:, None]) ** 2) / (2 * n)
    grads = {}
    for i in range(spec.depth):
        grads["W%d" % (i + 1)] = sum_w[i].T / n
        grads["b%d" % (i + 1)] = sum_b[i][:, 0] / n
    return C, grads
