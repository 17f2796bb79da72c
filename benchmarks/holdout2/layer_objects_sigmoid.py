"""Layer objects with forward/backward, PyTorch-like, kept in a list.

Linear -> Sigmoid -> ... -> Linear, with a softmax cross-entropy head on the logits.
"""
import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = grad.sum(axis=0)
        return grad @ self.W.T


class Sigmoid:
    def forward(self, x):
        self.out = 1.0 / (1.0 + np.exp(-x))
        return self.out

    def backward(self, grad):
        s = 1.0 / (1.0 + np.exp(-self.out))
        return grad * s * (1.0 - s)


class SoftmaxCrossEntropy:
    def forward(self, logits, targets):
        z = logits - logits.max(axis=1, keepdims=True)
        self.log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        self.targets = targets
        return -(targets * self.log_p).sum(axis=1).mean()

    def backward(self):
        return (np.exp(self.log_p) - self.targets) / self.targets.shape[0]


def build(params, depth):
    layers = []
    for i in range(1, depth + 1):
        layers.append(Linear(params[f"W{i}"], params[f"b{i}"]))
        if i < depth:
            layers.append(Sigmoid())
    return layers


def loss_and_grads(params, X, Y, spec):
    layers = build(params, spec.depth)
    head = SoftmaxCrossEntropy()
    h = X
    for layer in layers:
        h = layer.forward(h)
    n = X.shape[0]
    linears = [layer for layer in layers if isinstance(layer, Linear)]
    penalty = sum(np.sum(lin.W ** 2) for lin in linears)
    loss = head.forward(h, Y) + spec.l2 / (2 * n) * penalty

    grad = head.backward()
    for layer in reversed(layers):
        grad = layer.backward(grad)
    grads = {}
    for i, lin in enumerate(linears, start=1):
        grads[f"W{i}"] = lin.dW + spec.l2 / n * lin.W
        grads[f"b{i}"] = lin.db
    return loss, grads
