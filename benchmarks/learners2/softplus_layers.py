"""Layer-object network with smooth softplus hidden units (log(1 + e^z)) for regression:
each layer caches its input in forward and returns the input gradient in backward.
Linear output, mean squared error.
"""
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dy):
        self.dW = self.x.T @ dy
        self.db = dy.sum(axis=0)
        return dy @ self.W.T


class Softplus:
    def forward(self, z):
        self.z = z
        return np.logaddexp(0.0, z)

    def backward(self, dy):
        return dy / (1.0 + np.exp(self.z))


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    n = X.shape[0]
    layers = []
    for l in range(1, L + 1):
        layers.append(Affine(params[f"W{l}"], params[f"b{l}"]))
        if l < L:
            layers.append(Softplus())
    out = X
    for layer in layers:
        out = layer.forward(out)
    affines = layers[::2]
    loss = np.mean((out - Y) ** 2)
    loss += spec.l2 / (2 * n) * sum(np.sum(layer.W ** 2) for layer in affines)

    dy = 2 * (out - Y) / out.size
    for layer in reversed(layers):
        dy = layer.backward(dy)
    grads = {}
    for l, layer in enumerate(affines, start=1):
        grads[f"W{l}"] = layer.dW + spec.l2 / n * layer.W
        grads[f"b{l}"] = layer.db
    return loss, grads
