"""Keras-like Dense layers that apply their own SGD update during the backward pass.

Sigmoid hidden layers, a linear output and a mean-squared-error cost; sgd_step returns
fresh arrays for every parameter.
"""
import numpy as np


class Dense:
    def __init__(self, W, b, activation):
        self.W, self.b = W.copy(), b.copy()
        self.activation = activation

    def forward(self, x):
        self.x = x
        z = x @ self.W + self.b
        self.y = 1.0 / (1.0 + np.exp(-z)) if self.activation == "sigmoid" else z
        return self.y

    def backward(self, grad_out, lr, decay):
        if self.activation == "sigmoid":
            grad_out = grad_out * self.y * (1.0 - self.y)
        grad_in = grad_out @ self.W.T
        self.W -= lr * (self.x.T @ grad_out + decay * self.W)
        self.b -= lr * grad_out.mean(axis=0)
        return grad_in


def sgd_step(params, X, Y, spec, lr):
    depth = spec.depth
    layers = [Dense(params[f"W{i}"], params[f"b{i}"], spec.activations[i - 1])
              for i in range(1, depth + 1)]
    out = X
    for layer in layers:
        out = layer.forward(out)
    batch = X.shape[0]
    grad = 2.0 * (out - Y) / out.size
    for layer in reversed(layers):
        grad = layer.backward(grad, lr, spec.l2 / batch)
    new = {}
    for i, layer in enumerate(layers, start=1):
        new[f"W{i}"] = layer.W
        new[f"b{i}"] = layer.b
    return new
