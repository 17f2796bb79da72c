"""An MLP built from layer objects (Linear, Tanh) with forward/backward methods and a
sigmoid-cross-entropy head on the logits; loss_and_grads wires them into the contract."""
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


class Tanh:
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad):
        return grad * (1 - self.y ** 2)


class SigmoidBCE:
    def forward(self, logits, targets):
        self.logits, self.targets = logits, targets
        per_sample = np.sum(np.logaddexp(0, logits) - targets * logits, axis=1)
        return per_sample.mean()

    def backward(self):
        s = 1 / (1 + np.exp(-self.logits))
        return (self.targets - s) / self.logits.shape[0]


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    layers = []
    for l in range(1, L + 1):
        layers.append(Linear(params[f"W{l}"], params[f"b{l}"]))
        if l < L:
            layers.append(Tanh())
    head = SigmoidBCE()
    out = X
    for layer in layers:
        out = layer.forward(out)
    m = X.shape[0]
    loss = head.forward(out, Y)
    loss += spec.l2 / (2 * m) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    grad = head.backward()
    for layer in reversed(layers):
        grad = layer.backward(grad)
    grads = {}
    linears = [layer for layer in layers if isinstance(layer, Linear)]
    for l, lin in enumerate(linears, start=1):
        grads[f"W{l}"] = lin.dW + spec.l2 / m * lin.W
        grads[f"b{l}"] = lin.db
    return loss, grads
