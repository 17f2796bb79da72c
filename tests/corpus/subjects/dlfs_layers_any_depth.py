"""Layer classes in the 'Deep Learning from Scratch' manner, any depth."""
import numpy as np


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def cross_entropy_error(y, t):
    delta = 1e-7
    batch_size = y.shape[0]
    return -np.sum(t * np.log(y + delta)) / batch_size


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x < 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Sigmoid:
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Tanh:
    def forward(self, x):
        self.x = x
        return np.tanh(x)

    def backward(self, dout):
        return dout * (1.0 - self.x ** 2)


class Identity:
    def forward(self, x):
        return x

    def backward(self, dout):
        return dout


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        return cross_entropy_error(self.y, self.t)

    def backward(self, dout=1):
        return (self.y - self.t) * dout / self.t.shape[0]


class SigmoidWithLoss:
    def forward(self, x, t):
        self.t = t
        self.y = sigmoid(x)
        return cross_entropy_error(self.y, t) + cross_entropy_error(1 - self.y, 1 - t)

    def backward(self, dout=1):
        return (self.y - self.t) * dout / self.t.shape[0]


class MeanSquaredError:
    def forward(self, y, t):
        self.y, self.t = y, t
        return np.mean((y - t) ** 2)

    def backward(self, dout=1):
        return 2 * (self.y - self.t) * dout / self.y.size


ACTS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh, "identity": Identity}
LOSSES = {"softmax_cross_entropy": SoftmaxWithLoss, "sigmoid_bce": SigmoidWithLoss, "mse": MeanSquaredError}


def loss_and_grads(params, X, Y, spec):
    depth = len(spec.sizes) - 1
    layers = []
    for i in range(1, depth + 1):
        layers.append(Affine(params["W" + str(i)], params["b" + str(i)]))
        layers.append(ACTS[spec.activations[i - 1]]())
    last_layer = LOSSES[spec.loss]()

    y = X
    for layer in layers:
        y = layer.forward(y)
    n = X.shape[0]
    decay = spec.l2 / n
    loss = last_layer.forward(y, Y)
    for i in range(1, depth + 1):
        loss += 0.5 * decay * np.sum(params["W" + str(i)] ** 2)

    dout = last_layer.backward(1)
    for layer in reversed(layers):
        dout = layer.backward(dout)

    grads = {}
    for i in range(1, depth + 1):
        affine = layers[2 * (i - 1)]
        grads["W" + str(i)] = affine.dW + decay * affine.W
        grads["b" + str(i)] = affine.db
    return loss, grads
