"""A small PyTorch-like module system in numpy: every layer exposes parameters() and
gradients() lists, a Sequential chains them, and an SGD optimiser updates them in step().
Tanh hidden layers, linear output, mean squared error with weight decay; one step per call.
"""
import numpy as np


class Linear:
    def __init__(self, W, b, decay):
        self.W = W.copy()
        self.b = b.copy()
        self.decay = decay

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, g):
        self.dW = self.x.T @ g + self.decay * self.W
        self.db = g.sum(axis=0)
        return g @ self.W.T

    def parameters(self):
        return [self.W, self.b]

    def gradients(self):
        return [self.dW]


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, g):
        return g * (1 - np.tanh(self.out) ** 2)

    def parameters(self):
        return []

    def gradients(self):
        return []


class SGD:
    def __init__(self, layers, lr):
        self.layers = layers
        self.lr = lr

    def step(self):
        for layer in self.layers:
            for p, g in zip(layer.parameters(), layer.gradients()):
                p -= self.lr * g


def train_step(params, X, Y, spec, lr):
    L = spec.depth
    layers = []
    for l in range(1, L + 1):
        layers.append(Linear(params[f"W{l}"], params[f"b{l}"], spec.l2 / X.shape[0]))
        if l < L:
            layers.append(Tanh())
    out = X
    for layer in layers:
        out = layer.forward(out)
    g = 2 * (out - Y) / out.size
    for layer in reversed(layers):
        g = layer.backward(g)
    SGD(layers, lr).step()
    linears = [layer for layer in layers if isinstance(layer, Linear)]
    new_params = {}
    for l, lin in enumerate(linears, start=1):
        new_params[f"W{l}"] = lin.W
        new_params[f"b{l}"] = lin.b
    return new_params
