"""An MLP class with forward/backward methods and a softmax/sigmoid/mse head, gradients gathered in a dict."""
import numpy as np


class MLP:
    def __init__(self, params, spec):
        self.spec = spec
        self.depth = len(spec.sizes) - 1
        self.W = [params["W%d" % i] for i in range(1, self.depth + 1)]
        self.b = [params["b%d" % i] for i in range(1, self.depth + 1)]

    @staticmethod
    def _f(kind, z):
        if kind == "sigmoid":
            return 1 / (1 + np.exp(-z))
        if kind == "tanh":
            return np.tanh(z)
        if kind == "relu":
            return z * (z > 0)
        return z

    @staticmethod
    def _df(kind, z, a):
        if kind == "sigmoid":
            return a * (1 - a)
        if kind == "tanh":
            return 1 - a ** 2
        if kind == "relu":
            return 1.0 * (z > 0)
        return 1.0

    def forward(self, X):
        self.zs, self.acts = [], [X]
        for W, b, kind in zip(self.W, self.b, self.spec.activations):
            z = self.acts[-1] @ W + b
            self.zs.append(z)
            self.acts.append(self._f(kind, z))
        return self.acts[-1]

    def loss(self, out, Y):
        n = Y.shape[0]
        if self.spec.loss == "softmax_cross_entropy":
            exp_scores = np.exp(out)
            self.probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
            data_loss = -np.sum(Y * np.log(self.probs)) / n
            self.dout = self.probs - Y
        elif self.spec.loss == "sigmoid_bce":
            data_loss = np.sum(np.logaddexp(0, out) - Y * out) / n
            self.dout = 1 / (1 + np.exp(-out)) - Y
        else:
            data_loss = np.mean((out - Y) ** 2)
            self.dout = 2 * (out - Y) / Y.shape[1]
        reg_loss = 0.5 * self.spec.l2 / n * sum(np.sum(W * W) for W in self.W)
        return data_loss + reg_loss

    def backward(self):
        grads = {}
        d = self.dout
        for i in reversed(range(self.depth)):
            d = d * self._df(self.spec.activations[i], self.zs[i], self.acts[i + 1])
            grads["W%d" % (i + 1)] = self.acts[i].T @ d + self.spec.l2 * self.W[i]
            grads["b%d" % (i + 1)] = d.sum(axis=0)
            d = d @ self.W[i].T
        return grads


def loss_and_grads(params, X, Y, spec):
    model = MLP(params, spec)
    out = model.forward(X)
    loss = model.loss(out, Y)
    return loss, model.backward()
