"""Layer classes with forward caches (Affine, Relu, Sigmoid, Tanh) and a separate loss layer, any depth."""
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)


class Relu:
    def forward(self, x):
        self.mask = (x < 0)
        return np.maximum(x, 0)

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out * self.out)


class Identity:
    def forward(self, x):
        return x

    def backward(self, dout):
        return dout


class LossLayer:
    def __init__(self, kind):
        self.kind = kind

    def forward(self, x, t):
        self.x, self.t = x, t
        n = x.shape[0]
        if self.kind == "mse":
            return np.mean((x - t) ** 2)
        if self.kind == "softmax_cross_entropy":
            s = x - x.max(axis=1, keepdims=True)
            self.log_y = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
            return -np.sum(t * self.log_y) / n
        return np.sum(np.logaddexp(0, x) - t * x) / n

    def backward(self):
        n = self.x.shape[0]
        if self.kind == "mse":
            return 2 * (self.x - self.t) / self.x.size
        if self.kind == "softmax_cross_entropy":
            return (np.exp(self.log_y) - self.t) / n
        return (1 / (1 + np.exp(-self.x)) - self.t) / n


ACT = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh, "identity": Identity}


def loss_and_grads(params, X, Y, spec):
    n_layers = len(spec.sizes) - 1
    affines = [Affine(params["W" + str(i)], params["b" + str(i)]) for i in range(1, n_layers + 1)]
    layers = []
    for affine, name in zip(affines, spec.activations):
        layers.append(affine)
        layers.append(ACT[name]())
    last = LossLayer(spec.loss)

    x = X
    for layer in layers:
        x = layer.forward(x)
    n = X.shape[0]
    loss = last.forward(x, Y) + spec.l2 / (2 * n) * sum(np.sum(a.W ** 2) for a in affines)

    dout = last.backward()
    for layer in reversed(layers):
        dout = layer.backward(dout)

    grads = {}
    for i, affine in enumerate(affines, start=1):
        grads["W" + str(i)] = affine.dW + spec.l2 / n * affine.W
        grads["b" + str(i)] = affine.db
    return loss, grads
