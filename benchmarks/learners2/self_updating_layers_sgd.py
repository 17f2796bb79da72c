"""One SGD step of a sigmoid network for regression (mean squared error), in the
"layer object updates itself" style: each layer's backward(delta, lr) updates its own
weights and returns the delta for the layer below.
"""
import numpy as np


class SigmoidLayer:
    def __init__(self, W, b, last=False):
        self.W = W.copy()
        self.b = b.copy()
        self.last = last

    def forward(self, x):
        self.inp = x
        z = x @ self.W + self.b
        self.out = z if self.last else 1.0 / (1.0 + np.exp(-z))
        return self.out

    def backward(self, grad, lr, l2, n):
        if not self.last:
            grad = grad * self.out * (1.0 - self.out)
        delta_below = grad @ self.W.T
        self.W -= lr * (self.inp.T @ grad + l2 / n * self.W)
        self.b -= lr * np.sum(grad)
        return delta_below


def sgd_step(params, X, Y, spec, lr):
    L = spec.depth
    layers = [SigmoidLayer(params[f"W{l}"], params[f"b{l}"], last=(l == L))
              for l in range(1, L + 1)]
    out = X
    for layer in layers:
        out = layer.forward(out)
    grad = 2.0 * (out - Y) / Y.size
    for layer in reversed(layers):
        grad = layer.backward(grad, lr, spec.l2, X.shape[0])
    new_params = {}
    for l, layer in enumerate(layers, start=1):
        new_params[f"W{l}"] = layer.W
        new_params[f"b{l}"] = layer.b
    return new_params
