"""TwoLayerNet from "Deep Learning from Scratch" chapter 5 (layers with forward/backward and
a SoftmaxWithLoss last layer), with weight decay added as in chapter 6. Targets one-hot."""
import numpy as np


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    batch_size = y.shape[0]
    return -np.sum(t * np.log(y + 1e-7)) / batch_size


class Relu:
    def forward(self, x):
        self.out = np.maximum(0, x)
        return self.out

    def backward(self, dout):
        dx = dout * (dout > 0)
        return dx


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class TwoLayerNet:
    def __init__(self, params, weight_decay_lambda):
        self.params = params
        self.lam = weight_decay_lambda
        self.layers = [Affine(params["W1"], params["b1"]), Relu(),
                       Affine(params["W2"], params["b2"])]

    def loss(self, x, t):
        for layer in self.layers:
            x = layer.forward(x)
        self.y, self.t = softmax(x), t
        decay = 0.5 * self.lam * (np.sum(self.params["W1"] ** 2) + np.sum(self.params["W2"] ** 2))
        return cross_entropy_error(self.y, t) + decay

    def gradient(self):
        dout = (self.y - self.t) / self.t.shape[0]
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        a1, a2 = self.layers[0], self.layers[2]
        return {"W1": a1.dW + self.lam * self.params["W1"], "b1": a1.db,
                "W2": a2.dW + self.lam * self.params["W2"], "b2": a2.db}


def loss_and_grads(params, X, T, spec):
    net = TwoLayerNet(params, spec.l2)
    loss = net.loss(X, T)
    return loss, net.gradient()
