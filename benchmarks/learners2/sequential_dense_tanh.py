"""A tiny Keras-like framework: Dense and Tanh layers with forward/backward, a Sequential
container and an MSE loss object. Hidden layers use tanh, the output layer is linear.
"""
import numpy as np


class Dense:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad_out):
        self.dW = self.x.T @ grad_out
        self.db = grad_out.sum(axis=0)
        return grad_out @ self.W.T


class Tanh:
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad_out):
        return grad_out * (1.0 - self.y ** 2)


class MSELoss:
    def forward(self, pred, target):
        self.diff = pred - target
        return np.mean(self.diff ** 2)

    def backward(self):
        return 2.0 * self.diff / self.diff.size


class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad


def build(params, spec):
    layers = []
    for l in range(1, spec.depth + 1):
        layers.append(Dense(params[f"W{l}"], params[f"b{l}"]))
        if l < spec.depth:
            layers.append(Tanh())
    return Sequential(layers)


def loss_and_grads(params, X, Y, spec):
    model = build(params, spec)
    criterion = MSELoss()
    pred = model.forward(X)
    n = X.shape[0]
    loss = criterion.forward(pred, Y)
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    loss += spec.l2 / (2 * n) * sum(np.sum(d.W ** 2) for d in dense)
    model.backward(criterion.backward())
    grads = {}
    for l, d in enumerate(dense, start=1):
        grads[f"W{l}"] = d.dW + spec.l2 / n * d.W
        grads[f"b{l}"] = d.db
    return loss, grads
