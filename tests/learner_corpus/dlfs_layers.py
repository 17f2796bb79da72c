"""Layer classes in the style of "Deep Learning from Scratch" (Affine, Relu, SoftmaxWithLoss),
assembled into a MultiLayerNet-like gradient() with weight decay. One-hot targets t."""
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = None
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx


class Relu:
    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout = dout.copy()
        dout[self.mask] = 0
        return dout


def softmax(x):
    x = x - np.max(x, axis=1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        batch_size = x.shape[0]
        return -np.sum(t * np.log(self.y)) / batch_size

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return (self.y - self.t) * dout / batch_size


def gradient(params, x, t, spec):
    weight_decay_lambda = spec.l2
    layers = {}  # insertion-ordered, like the book's OrderedDict
    for idx in range(1, spec.depth + 1):
        layers['Affine%d' % idx] = Affine(params['W%d' % idx], params['b%d' % idx])
        if idx < spec.depth:
            layers['Relu%d' % idx] = Relu()
    last_layer = SoftmaxWithLoss()

    y = x
    for layer in layers.values():
        y = layer.forward(y)
    weight_decay = 0
    for idx in range(1, spec.depth + 1):
        W = params['W%d' % idx]
        weight_decay += 0.5 * weight_decay_lambda * np.sum(W ** 2)
    loss = last_layer.forward(y, t) + weight_decay

    dout = last_layer.backward(1)
    for layer in reversed(list(layers.values())):
        dout = layer.backward(dout)

    grads = {}
    for idx in range(1, spec.depth + 1):
        grads['W%d' % idx] = layers['Affine%d' % idx].dW + weight_decay_lambda * params['W%d' % idx]
        grads['b%d' % idx] = layers['Affine%d' % idx].db
    return loss, grads
