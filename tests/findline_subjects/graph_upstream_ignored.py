"""Graph nodes with forward/backward; the sigmoid node's backward drops the upstream gradient."""

import numpy as np


class Dense:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class Sigmoid:
    def forward(self, z):
        self.out = 1 / (1 + np.exp(-z))
        return self.out

    def backward(self, dout):
        return self.out * (1 - self.out)  # BUG: dout * self.out * (1 - self.out)


def loss_and_grads(params, X, Y, spec):
    layers = [Dense(params["W1"], params["b1"]), Sigmoid(), Dense(params["W2"], params["b2"])]
    h = X
    for layer in layers:
        h = layer.forward(h)
    loss = np.mean((h - Y) ** 2)
    grad = 2 * (h - Y) / h.size
    for layer in reversed(layers):
        grad = layer.backward(grad)
    return loss, {"W1": layers[0].dW, "b1": layers[0].db,
                  "W2": layers[2].dW, "b2": layers[2].db}
