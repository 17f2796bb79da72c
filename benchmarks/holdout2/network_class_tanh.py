"""A small Network class: forward() keeps what backward() needs on the object.

Every layer is tanh, the output layer included (targets scaled to (-1, 1)); MSE cost
with an L2 penalty on the weights.
"""
import numpy as np


class Network:
    def __init__(self, params, spec):
        self.L = spec.depth
        self.W = [params[f"W{i}"] for i in range(1, self.L + 1)]
        self.b = [params[f"b{i}"] for i in range(1, self.L + 1)]
        self.lam = spec.l2

    def forward(self, X):
        self.a = [X]
        for W, b in zip(self.W, self.b):
            self.a.append(np.tanh(self.a[-1] @ W + b))
        return self.a[-1]

    def cost(self, Y):
        m = Y.shape[0]
        mse = np.mean((self.a[-1] - Y) ** 2)
        reg = self.lam / (2 * m) * sum(np.sum(W * W) for W in self.W)
        return mse + reg

    def backward(self, Y):
        m = Y.shape[0]
        dW, db = [None] * self.L, [None] * self.L
        dA = 2.0 * (self.a[-1] - Y) / Y.size
        for i in reversed(range(self.L)):
            dZ = dA * (1.0 - np.tanh(self.a[i + 1]) ** 2)
            dW[i] = self.a[i].T @ dZ + self.lam / m * self.W[i]
            db[i] = dZ.sum(axis=0)
            dA = dZ @ self.W[i].T
        return dW, db


def loss_and_grads(params, X, Y, spec):
    net = Network(params, spec)
    net.forward(X)
    loss = net.cost(Y)
    dW, db = net.backward(Y)
    grads = {}
    for i in range(spec.depth):
        grads[f"W{i + 1}"] = dW[i]
        grads[f"b{i + 1}"] = db[i]
    return loss, grads
