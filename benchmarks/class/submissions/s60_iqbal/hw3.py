"""An MLP class with forward() and backward() methods; matrix products with einsum."""
import numpy as np


class MLP:
    def __init__(self, params, spec):
        self.spec = spec
        self.W = [params["W%d" % i] for i in range(1, spec.depth + 1)]
        self.b = [params["b%d" % i] for i in range(1, spec.depth + 1)]

    @staticmethod
    def g(kind, z):
        if kind == "relu":
            return z * (z > 0)
        if kind == "tanh":
            return np.tanh(z)
        if kind == "sigmoid":
            return 0.5 * (1 + np.tanh(0.5 * z))
        return z

    @staticmethod
    def dg(kind, z, a):
        if kind == "relu":
            return 1.0 * (z > 0)
        if kind == "tanh":
            return 1 - a * a
        if kind == "sigmoid":
            return a - a * a
        return 1.0

    def forward(self, X):
        self.zs, self.acts = [], [X]
        for W, b, kind in zip(self.W, self.b, self.spec.activations):
            z = np.einsum("ni,io->no", self.acts[-1], W) + b
            self.zs.append(z)
            self.acts.append(self.g(kind, z))
        return self.acts[-1]

    def loss(self, scores, Y):
        n = Y.shape[0]
        top = 0.0
        lse = top + np.log(np.exp(scores - top).sum(axis=1, keepdims=True))
        self.probs = np.exp(scores - lse)
        data = np.sum(Y * (lse - scores)) / n
        return data + 0.5 * self.spec.l2 / n * sum(np.sum(W * W) for W in self.W)

    def backward(self, Y):
        n = Y.shape[0]
        grads = {}
        d = (self.probs - Y) / n
        for i in reversed(range(self.spec.depth)):
            d = d * self.dg(self.spec.activations[i], self.zs[i], self.acts[i + 1])
            grads["W%d" % (i + 1)] = np.einsum("ni,no->io", self.acts[i], d) + self.spec.l2 / n * self.W[i]
            grads["b%d" % (i + 1)] = d.sum(axis=0)
            d = np.einsum("no,io->ni", d, self.W[i])
        return grads


def loss_and_grads(params, X, Y, spec):
    model = MLP(params, spec)
    scores = model.forward(X)
    loss = model.loss(scores, Y)
    return loss, model.backward(Y)
