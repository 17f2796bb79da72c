"""A small Net class holding params, with forward() caching and backward() returning a grads dict."""
import numpy as np


def softmax(z):
    e = np.exp(z)
    return e / np.sum(e, axis=1, keepdims=True)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Net:
    def __init__(self, params, spec):
        self.params = params
        self.spec = spec
        self.L = len(spec.sizes) - 1

    def forward(self, X):
        self.cache = [(None, X)]
        a = X
        for l in range(1, self.L + 1):
            z = a @ self.params["W%d" % l] + self.params["b%d" % l]
            kind = self.spec.activations[l - 1]
            if kind == "sigmoid":
                a = sigmoid(z)
            elif kind == "tanh":
                a = np.tanh(z)
            elif kind == "relu":
                a = np.maximum(z, 0)
            else:
                a = z
            self.cache.append((z, a))
        return a

    def loss(self, out, Y):
        m = out.shape[0]
        if self.spec.loss == "softmax_cross_entropy":
            self.probs = softmax(out)
            data = -np.sum(Y * np.log(self.probs)) / m
            self.dout = (self.probs - Y) / m
        elif self.spec.loss == "sigmoid_bce":
            data = np.sum(np.logaddexp(0, out) - Y * out) / m
            self.dout = (sigmoid(out) - Y) / m
        else:
            data = np.mean((out - Y) ** 2)
            self.dout = 2 * (out - Y) / out.size
        reg = self.spec.l2 / (2 * m) * sum(np.sum(self.params["W%d" % l] ** 2) for l in range(1, self.L + 1))
        return data + reg

    def backward(self):
        m = self.cache[0][1].shape[0]
        grads = {}
        d = self.dout
        for l in range(self.L, 0, -1):
            z, a = self.cache[l]
            kind = self.spec.activations[l - 1]
            if kind == "sigmoid":
                d = d * a * (1 - a)
            elif kind == "tanh":
                d = d * (1 - a ** 2)
            elif kind == "relu":
                d = d * (z > 0)
            a_prev = self.cache[l - 1][1]
            W = self.params["W%d" % l]
            grads["W%d" % l] = a_prev.T @ d + self.spec.l2 / m * W
            grads["b%d" % l] = d.sum(axis=0)
            d = d @ W.T
        return grads


def loss_and_grads(params, X, Y, spec):
    net = Net(params, spec)
    out = net.forward(X)
    loss = net.loss(out, Y)
    return loss, net.backward()
