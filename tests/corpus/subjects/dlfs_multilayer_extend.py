"""Layer classes in the 'Deep Learning from Scratch' manner, a MultiLayerNetExtend-style network of any depth."""
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x, train_flg=True):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)


class Activation:
    def __init__(self, kind):
        self.kind = kind

    def forward(self, x, train_flg=True):
        self.x = x
        if self.kind == "relu":
            self.out = np.maximum(0, x)
        elif self.kind == "sigmoid":
            self.out = 1 / (1 + np.exp(-x))
        elif self.kind == "tanh":
            self.out = np.tanh(x)
        else:
            self.out = x
        return self.out

    def backward(self, dout):
        if self.kind == "relu":
            return dout * (self.x > 0)
        if self.kind == "sigmoid":
            return dout * self.out * (1 - self.out)
        if self.kind == "tanh":
            return dout * (1 - self.out ** 2)
        return dout


class Dropout:
    def __init__(self, dropout_ratio=0.5, seed=0):
        self.dropout_ratio = dropout_ratio
        self.rng = np.random.RandomState(seed)
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = self.rng.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class LastLayer:
    def __init__(self, kind):
        self.kind = kind

    def forward(self, x, t):
        self.x, self.t = x, t
        n = x.shape[0]
        if self.kind == "mse":
            return np.mean((x - t) ** 2)
        if self.kind == "softmax_cross_entropy":
            s = x - x.max(axis=1, keepdims=True)
            self.logy = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
            return -np.sum(t * self.logy) / n
        return np.sum(np.logaddexp(0, x) - t * x) / n

    def backward(self, dout=1):
        n = self.x.shape[0]
        if self.kind == "mse":
            return dout * 2 * (self.x - self.t) / self.x.size
        if self.kind == "softmax_cross_entropy":
            return dout * (np.exp(self.logy) - self.t) / n
        return dout * (1 / (1 + np.exp(-self.x)) - self.t) / n


class MultiLayerNetExtend:
    def __init__(self, params, spec, dropout_ratio=0.5):
        self.depth = len(spec.sizes) - 1
        self.params = params
        self.l2 = spec.l2
        self.layers = []
        for i in range(1, self.depth + 1):
            self.layers.append(Affine(params["W%d" % i], params["b%d" % i]))
            self.layers.append(Activation(spec.activations[i - 1]))
            if i < self.depth:
                self.layers.append(Dropout(dropout_ratio))
        self.last_layer = LastLayer(spec.loss)

    def predict(self, x, train_flg=True):
        for layer in self.layers:
            x = layer.forward(x, train_flg)
        return x

    def loss(self, x, t, train_flg=True):
        y = self.predict(x, train_flg)
        n = x.shape[0]
        weight_decay = sum(0.5 * self.l2 / n * np.sum(self.params["W%d" % i] ** 2)
                           for i in range(1, self.depth + 1))
        return self.last_layer.forward(y, t) + weight_decay

    def gradient(self, x, t):
        loss = self.loss(x, t, train_flg=True)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        n = x.shape[0]
        grads = {}
        affines = [layer for layer in self.layers if isinstance(layer, Affine)]
        for i, affine in enumerate(affines, start=1):
            grads["W%d" % i] = affine.dW + self.l2 / n * affine.W
            grads["b%d" % i] = affine.db
        return loss, grads


def loss_and_grads(params, X, Y, spec):
    net = MultiLayerNetExtend(params, spec)
    return net.gradient(X, Y)
