"""Class-style layers that keep their arrays on self; the tanh layer's backward uses the
sigmoid's derivative."""

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


class Tanh:
    def forward(self, z):
        self.out = np.tanh(z)
        return self.out

    def backward(self, dout):
        self.dz = dout * self.out * (1 - self.out)  # BUG: 1 - out ** 2
        return self.dz


def loss_and_grads(params, X, Y, spec):
    layers = [Dense(params["W1"], params["b1"]), Tanh(), Dense(params["W2"], params["b2"])]
    out = X
    for layer in layers:
        out = layer.forward(out)
    loss = np.mean((out - Y) ** 2)
    d = 2 * (out - Y) / out.size
    for layer in reversed(layers):
        d = layer.backward(d)
    return loss, {"W1": layers[0].dW, "b1": layers[0].db, "W2": layers[2].dW, "b2": layers[2].db}
