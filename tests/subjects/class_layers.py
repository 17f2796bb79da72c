"""Correct, written as a small layer API: Dense and activation classes with forward/backward
that cache their inputs, a loss class, and a function that builds the model from the spec.

Style unlike the reference: objects holding state, ``backward(dout)`` returning the upstream
gradient and storing ``dW``/``db`` on the layer, the L2 term added by the wrapper.
"""

import numpy as np


class Dense:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class Sigmoid:
    def forward(self, x):
        self.out = 1.0 / (1.0 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1.0 - self.out)


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out ** 2)


class ReLU:
    def forward(self, x):
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout):
        return np.where(self.mask, 0.0, dout)  # a new array: the caller's dout is untouched


class Identity:
    def forward(self, x):
        return x

    def backward(self, dout):
        return dout


ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "identity": Identity}


class MSE:
    def forward(self, out, y):
        self.diff = out - y
        return np.mean(self.diff ** 2)

    def backward(self):
        return 2.0 * self.diff / self.diff.size


class SoftmaxCrossEntropy:
    def forward(self, z, y):
        shifted = z - z.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.p, self.y = np.exp(logp), y
        return -(y * logp).sum(axis=1).mean()

    def backward(self):
        return (self.p * self.y.sum(axis=1, keepdims=True) - self.y) / self.y.shape[0]


class SigmoidBCE:
    def forward(self, z, y):
        self.z, self.y = z, y
        return (np.logaddexp(0.0, z) - y * z).sum(axis=1).mean()

    def backward(self):
        return (1.0 / (1.0 + np.exp(-self.z)) - self.y) / self.y.shape[0]


LOSSES = {"mse": MSE, "softmax_cross_entropy": SoftmaxCrossEntropy,
          "sigmoid_bce": SigmoidBCE}


class Model:
    def __init__(self, params, spec):
        self.layers = []
        for layer in range(1, spec.depth + 1):
            self.layers.append(Dense(params[f"W{layer}"], params[f"b{layer}"]))
            self.layers.append(ACTIVATIONS[spec.activations[layer - 1]]())
        self.loss = LOSSES[spec.loss]()

    def forward(self, x, y):
        for layer in self.layers:
            x = layer.forward(x)
        return self.loss.forward(x, y)

    def backward(self):
        dout = self.loss.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)


def loss_and_grads(params, X, Y, spec):
    model = Model(params, spec)
    loss = model.forward(X, Y)
    model.backward()
    n = X.shape[0]
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    loss += spec.l2 / (2 * n) * sum(np.sum(d.W ** 2) for d in dense)
    grads = {}
    for i, d in enumerate(dense, start=1):
        grads[f"W{i}"] = d.dW + spec.l2 / n * d.W
        grads[f"b{i}"] = d.db
    return float(loss), grads
