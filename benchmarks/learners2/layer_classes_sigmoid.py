"""Object-oriented MLP: every layer is a class with forward(x) and backward(dout) and keeps
what it needs from the forward pass. Sigmoid hidden layers, softmax cross-entropy on top.
"""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class Linear:
    def __init__(self, W, b):
        self.params = {"W": W, "b": b}
        self.grads = {}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        self.grads["W"] = self.x.T @ dout
        self.grads["b"] = np.sum(dout, axis=0)
        return dout @ self.params["W"].T


class Sigmoid:
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        s = sigmoid(self.out)
        return dout * s * (1.0 - s)


class SoftmaxCrossEntropy:
    def forward(self, logits, t):
        z = logits - logits.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        self.p = np.exp(log_p)
        self.t = t
        return -np.sum(t * log_p) / logits.shape[0]

    def backward(self):
        return (self.p - self.t) / self.t.shape[0]


class MLP:
    def __init__(self, params, spec):
        self.layers = []
        for l in range(1, spec.depth + 1):
            self.layers.append(Linear(params[f"W{l}"], params[f"b{l}"]))
            if l < spec.depth:
                self.layers.append(Sigmoid())
        self.loss_layer = SoftmaxCrossEntropy()

    def loss(self, x, t):
        for layer in self.layers:
            x = layer.forward(x)
        return self.loss_layer.forward(x, t)

    def backward(self):
        dout = self.loss_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)


def loss_and_grads(params, X, Y, spec):
    net = MLP(params, spec)
    n = X.shape[0]
    linears = [layer for layer in net.layers if isinstance(layer, Linear)]
    loss = net.loss(X, Y)
    loss += spec.l2 / (2 * n) * sum(np.sum(lin.params["W"] ** 2) for lin in linears)
    net.backward()
    grads = {}
    for l, lin in enumerate(linears, start=1):
        grads[f"W{l}"] = lin.grads["W"] + spec.l2 / n * lin.params["W"]
        grads[f"b{l}"] = lin.grads["b"]
    return loss, grads
