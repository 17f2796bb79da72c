"""Keras-like Dense layers that remember their inputs and update themselves; one training
step (forward, backward, update) on a batch. ReLU hidden layers, softmax cross-entropy."""
import numpy as np


class Dense:
    def __init__(self, W, b, relu):
        self.W, self.b, self.relu = W.copy(), b.copy(), relu

    def forward(self, x):
        self.x = x
        self.z = x @ self.W + self.b
        return np.maximum(self.z, 0) if self.relu else self.z

    def backward(self, grad):
        if self.relu:
            grad = grad * (self.z > 0)
        self.delta = grad
        self.dW = self.x.T @ grad
        return grad @ self.W.T

    def update(self, lr, l2, m):
        self.W -= lr * (self.dW + l2 / m * self.W)
        self.b -= lr * np.sum(self.delta)


def train_step(params, X, Y, spec, lr):
    L, m = spec.depth, X.shape[0]
    layers = [Dense(params[f"W{l}"], params[f"b{l}"], relu=l < L) for l in range(1, L + 1)]
    out = X
    for layer in layers:
        out = layer.forward(out)
    out = out - out.max(axis=1, keepdims=True)
    p = np.exp(out) / np.exp(out).sum(axis=1, keepdims=True)
    grad = (p - Y) / m
    for layer in reversed(layers):
        grad = layer.backward(grad)
    for layer in layers:
        layer.update(lr, spec.l2, m)
    new = {}
    for l, layer in enumerate(layers, start=1):
        new[f"W{l}"], new[f"b{l}"] = layer.W, layer.b
    return new
