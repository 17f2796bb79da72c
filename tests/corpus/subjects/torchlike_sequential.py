"""PyTorch-like modules (Linear, Tanh, ReLU, Sigmoid) in a Sequential container, each with forward/backward."""
import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.grad_W = np.zeros_like(W)
        self.grad_b = np.zeros_like(b)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.grad_W = self.x.T @ grad
        self.grad_b = grad.sum(axis=0)
        return grad @ self.W.T


class Tanh:
    def forward(self, x):
        self.x = x
        return np.tanh(x)

    def backward(self, grad):
        return grad * (1 - self.x ** 2)


class ReLU:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0)

    def backward(self, grad):
        return grad * (self.x > 0)


class Sigmoid:
    def forward(self, x):
        self.y = 1 / (1 + np.exp(-x))
        return self.y

    def backward(self, grad):
        return grad * self.y * (1 - self.y)


class Identity:
    def forward(self, x):
        return x

    def backward(self, grad):
        return grad


class Sequential:
    def __init__(self, *modules):
        self.modules = list(modules)

    def forward(self, x):
        for module in self.modules:
            x = module.forward(x)
        return x

    def backward(self, grad):
        for module in reversed(self.modules):
            grad = module.backward(grad)
        return grad


MODULES = {"tanh": Tanh, "relu": ReLU, "sigmoid": Sigmoid, "identity": Identity}


def criterion(out, Y, kind):
    n = out.shape[0]
    if kind == "mse":
        return np.mean((out - Y) ** 2), 2 * (out - Y) / out.size
    if kind == "softmax_cross_entropy":
        s = out - out.max(axis=1, keepdims=True)
        log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        return -(Y * log_p).sum() / n, (np.exp(log_p) - Y) / n
    return (np.logaddexp(0, out) - Y * out).sum() / n, (1 / (1 + np.exp(-out)) - Y) / n


def loss_and_grads(params, X, Y, spec):
    depth = len(spec.sizes) - 1
    linears = [Linear(params[f"W{i}"], params[f"b{i}"]) for i in range(1, depth + 1)]
    modules = []
    for lin, name in zip(linears, spec.activations):
        modules += [lin, MODULES[name]()]
    model = Sequential(*modules)

    out = model.forward(X)
    n = X.shape[0]
    loss, grad_out = criterion(out, Y, spec.loss)
    loss += spec.l2 / (2 * n) * sum((lin.W ** 2).sum() for lin in linears)
    model.backward(grad_out)

    grads = {}
    for i, lin in enumerate(linears, start=1):
        grads[f"W{i}"] = lin.grad_W + spec.l2 / n * lin.W
        grads[f"b{i}"] = lin.grad_b
    return float(loss), grads
