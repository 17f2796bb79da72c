"""Keras-like Dense and Activation layer objects with a loss object, forward and backward over a list of layers."""
import numpy as np


class Dense:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def forward(self, inputs):
        self.inputs = inputs
        return inputs @ self.W + self.b

    def backward(self, grad):
        self.dW = self.inputs.T @ grad
        self.db = np.sum(grad, axis=0, keepdims=True)
        return grad @ self.W.T


class Activation:
    def __init__(self, kind):
        self.kind = kind

    def forward(self, z):
        self.z = z
        if self.kind == "relu":
            self.a = np.maximum(z, 0)
        elif self.kind == "sigmoid":
            self.a = 1 / (1 + np.exp(-z))
        elif self.kind == "tanh":
            self.a = np.tanh(z)
        else:
            self.a = z
        return self.a

    def backward(self, grad):
        if self.kind == "relu":
            return grad * (self.z > 0)
        if self.kind == "sigmoid":
            return grad * self.a * (1 - self.a)
        if self.kind == "tanh":
            return grad * (1 - self.a ** 2)
        return grad


class Loss:
    def __init__(self, kind):
        self.kind = kind

    def forward(self, out, Y):
        self.out, self.Y = out, Y
        n = out.shape[0]
        if self.kind == "softmax_cross_entropy":
            e = np.exp(out - out.max(axis=1, keepdims=True))
            self.p = e / e.sum(axis=1, keepdims=True)
            return -np.sum(Y * np.log(self.p)) / n
        if self.kind == "sigmoid_bce":
            self.p = 1 / (1 + np.exp(-out))
            return -np.sum(Y * np.log(self.p) + (1 - Y) * np.log(1 - self.p)) / n
        return np.mean((out - Y) ** 2)

    def backward(self):
        n = self.out.shape[0]
        if self.kind == "mse":
            return 2 * (self.out - self.Y) / self.out.size
        return (self.p - self.Y) / n


def loss_and_grads(params, X, Y, spec):
    depth = len(spec.sizes) - 1
    model = []
    for i in range(1, depth + 1):
        model.append(Dense(params[f"W{i}"], params[f"b{i}"]))
        model.append(Activation(spec.activations[i - 1]))
    criterion = Loss(spec.loss)

    out = X
    for layer in model:
        out = layer.forward(out)
    n = X.shape[0]
    loss = criterion.forward(out, Y)
    loss += spec.l2 / (2 * n) * sum(np.sum(params[f"W{i}"] ** 2) for i in range(1, depth + 1))

    grad = criterion.backward()
    for layer in reversed(model):
        grad = layer.backward(grad)

    grads = {}
    dense_layers = [layer for layer in model if isinstance(layer, Dense)]
    for i, layer in enumerate(dense_layers, start=1):
        grads[f"W{i}"] = layer.dW + spec.l2 / n * layer.W
        grads[f"b{i}"] = layer.db
    return loss, grads
