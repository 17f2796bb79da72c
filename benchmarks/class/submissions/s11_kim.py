"""Layer classes in the "Deep Learning from Scratch" manner: Affine, activations and
SoftmaxWithLoss, each with forward and backward; the network is a list of layers."""
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

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
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out ** 2)


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Identity:
    def forward(self, x):
        return x

    def backward(self, dout):
        return dout


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        x = x - np.max(x, axis=1, keepdims=True)
        self.log_y = x - np.log(np.sum(np.exp(x), axis=1, keepdims=True))
        return -np.sum(t * self.log_y) / x.shape[0]

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return (np.exp(self.log_y) - self.t) * dout / batch_size


ACTIVATIONS = {"relu": Relu, "tanh": Tanh, "sigmoid": Sigmoid, "identity": Identity}


def loss_and_grads(params, X, Y, spec):
    layers = []
    for i in range(1, spec.depth + 1):
        layers.append(Affine(params["W%d" % i], params["b%d" % i]))
        layers.append(ACTIVATIONS[spec.activations[i - 1]]())
    last_layer = SoftmaxWithLoss()

    x = X
    for layer in layers:
        x = layer.forward(x)
    n = X.shape[0]
    weight_decay = 0.5 * spec.l2 / n * sum(np.sum(layer.W ** 2) for layer in layers[::2])
    loss = last_layer.forward(x, Y) + weight_decay

    dout = last_layer.backward(1)
    for layer in reversed(layers):
        dout = layer.backward(dout)
    grads = {}
    for i, affine in enumerate(layers[::2], start=1):
        grads["W%d" % i] = affine.dW + spec.l2 / n * affine.W
        grads["b%d" % i] = affine.db
    return loss, grads
