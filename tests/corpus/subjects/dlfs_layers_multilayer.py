"""Layer objects in the 'Deep Learning from Scratch' manner: forward caches, backward stores dW and db."""
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
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
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Tanh:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out ** 2)


class Identity:
    def forward(self, x):
        return x

    def backward(self, dout):
        return dout


class SoftmaxWithLoss:
    def __init__(self):
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        shifted = x - np.max(x, axis=1, keepdims=True)
        log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        self.y = np.exp(log_y)
        return -np.sum(t * log_y) / x.shape[0]

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return (self.y - self.t) * dout / batch_size


class SigmoidWithLoss:
    def __init__(self):
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = 1 / (1 + np.exp(-x))
        return np.sum(np.logaddexp(0, x) - t * x) / x.shape[0]

    def backward(self, dout=1):
        return (self.y - self.t) * dout / self.t.shape[0]


class MeanSquaredError:
    def __init__(self):
        self.y = None
        self.t = None

    def forward(self, y, t):
        self.y, self.t = y, t
        return np.mean((y - t) ** 2)

    def backward(self, dout=1):
        return 2 * (self.y - self.t) * dout / self.y.size


ACTIVATION_LAYERS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh, "identity": Identity}
LOSS_LAYERS = {"softmax_cross_entropy": SoftmaxWithLoss, "sigmoid_bce": SigmoidWithLoss,
               "mse": MeanSquaredError}


class MultiLayerNet:
    def __init__(self, params, spec):
        self.n_layers = len(spec.sizes) - 1
        self.params = params
        self.layers = {}
        for i in range(1, self.n_layers + 1):
            self.layers["Affine" + str(i)] = Affine(params["W" + str(i)], params["b" + str(i)])
            self.layers["Activation" + str(i)] = ACTIVATION_LAYERS[spec.activations[i - 1]]()
        self.last_layer = LOSS_LAYERS[spec.loss]()
        self.weight_decay_lambda = spec.l2

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        decay = self.weight_decay_lambda / x.shape[0]
        weight_decay = 0
        for i in range(1, self.n_layers + 1):
            W = self.params["W" + str(i)]
            weight_decay += 0.5 * decay * np.sum(W ** 2)
        return self.last_layer.forward(y, t) + weight_decay

    def gradient(self, x, t):
        loss = self.loss(x, t)
        dout = 1
        dout = self.last_layer.backward(dout)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        decay = self.weight_decay_lambda / x.shape[0]
        grads = {}
        for i in range(1, self.n_layers + 1):
            affine = self.layers["Affine" + str(i)]
            grads["W" + str(i)] = affine.dW + decay * affine.W
            grads["b" + str(i)] = affine.db
        return loss, grads


def loss_and_grads(params, X, Y, spec):
    net = MultiLayerNet(params, spec)
    loss, grads = net.gradient(X, Y)
    return float(loss), grads
