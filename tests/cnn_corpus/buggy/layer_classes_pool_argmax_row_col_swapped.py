"""Object-oriented mini framework: each layer has forward/backward and keeps
its own cache; parameter layers expose .params / .grads dicts.
"""
import numpy as np


class Conv2D:
    def __init__(self, W, b):
        self.params = {'W': W, 'b': b}
        self.grads = {}
        self.pad = (W.shape[2] - 1) // 2

    def forward(self, x):
        W, b = self.params['W'], self.params['b']
        F, C, K, _ = W.shape
        N, _, H, Wd = x.shape
        p = self.pad
        xp = np.zeros((N, C, H + 2 * p, Wd + 2 * p))
        xp[:, :, p:p + H, p:p + Wd] = x
        Ho, Wo = H + 2 * p - K + 1, Wd + 2 * p - K + 1
        Wmat = W.reshape(F, -1)
        out = np.empty((N, F, Ho, Wo))
        for i in range(Ho):
            for j in range(Wo):
                patch = xp[:, :, i:i + K, j:j + K].reshape(N, -1)
                out[:, :, i, j] = patch @ Wmat.T + b
        self.cache = (x.shape, xp)
        return out

    def backward(self, dout):
        W = self.params['W']
        F, C, K, _ = W.shape
        x_shape, xp = self.cache
        N, _, H, Wd = x_shape
        p = self.pad
        Ho, Wo = dout.shape[2], dout.shape[3]
        Wmat = W.reshape(F, -1)
        dWmat = np.zeros_like(Wmat)
        dxp = np.zeros_like(xp)
        for i in range(Ho):
            for j in range(Wo):
                patch = xp[:, :, i:i + K, j:j + K].reshape(N, -1)
                g = dout[:, :, i, j]                      # (N, F)
                dWmat += g.T @ patch
                dxp[:, :, i:i + K, j:j + K] += (g @ Wmat).reshape(N, C, K, K)
        self.grads['W'] = dWmat.reshape(W.shape)
        self.grads['b'] = dout.sum(axis=(0, 2, 3))
        return dxp[:, :, p:p + H, p:p + Wd]


class ReLU:
    def forward(self, x):
        self.cache = x
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * (self.cache > 0)


class MaxPool2x2:
    def forward(self, x):
        N, C, H, W = x.shape
        Ho, Wo = H // 2, W // 2
        out = np.empty((N, C, Ho, Wo))
        argmax = np.empty((N, C, Ho, Wo), dtype=np.int64)
        for i in range(Ho):
            for j in range(Wo):
                win = x[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 2].reshape(N, C, 4)
                argmax[:, :, i, j] = win.argmax(axis=2)
                out[:, :, i, j] = win.max(axis=2)
        self.cache = (x.shape, argmax)
        return out

    def backward(self, dout):
        x_shape, argmax = self.cache
        N, C, Ho, Wo = dout.shape
        dx = np.zeros(x_shape)
        n_idx, c_idx = np.meshgrid(np.arange(N), np.arange(C), indexing='ij')
        for i in range(Ho):
            for j in range(Wo):
                a = argmax[:, :, i, j]
                r, s = a % 2, a // 2
                dx[n_idx, c_idx, 2 * i + r, 2 * j + s] += dout[:, :, i, j]
        return dx


class Flatten:
    def forward(self, x):
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout.reshape(self.shape)


class Dense:
    def __init__(self, W, b):
        self.params = {'W': W, 'b': b}
        self.grads = {}

    def forward(self, x):
        self.cache = x
        return x @ self.params['W'] + self.params['b']

    def backward(self, dout):
        x = self.cache
        self.grads['W'] = x.T @ dout
        self.grads['b'] = dout.sum(axis=0)
        return dout @ self.params['W'].T


class SoftmaxCrossEntropy:
    def forward(self, scores, y):
        N = scores.shape[0]
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.cache = (np.exp(log_probs), y)
        return -log_probs[np.arange(N), y].sum() / N

    def backward(self):
        probs, y = self.cache
        N = probs.shape[0]
        d = probs.copy()
        d[np.arange(N), y] -= 1
        return d / N


class MulticlassHinge:
    def forward(self, scores, y):
        N = scores.shape[0]
        correct = scores[np.arange(N), y]
        margins = np.maximum(0, scores - correct[:, None] + 1)
        margins[np.arange(N), y] = 0
        self.cache = (margins, y)
        return margins.sum() / N

    def backward(self):
        margins, y = self.cache
        N = margins.shape[0]
        d = np.zeros_like(margins)
        d[margins > 0] = 1
        d[np.arange(N), y] -= d.sum(axis=1)
        return d / N


class ThreeLayerConvNet:
    def __init__(self, params, loss, reg):
        self.reg = reg
        self.conv = Conv2D(params['W1'], params['b1'])
        self.fc1 = Dense(params['W2'], params['b2'])
        self.fc2 = Dense(params['W3'], params['b3'])
        self.layers = [self.conv, ReLU(), MaxPool2x2(), Flatten(),
                       self.fc1, ReLU(), self.fc2]
        if loss == 'softmax_cross_entropy':
            self.criterion = SoftmaxCrossEntropy()
        elif loss == 'svm':
            self.criterion = MulticlassHinge()
        else:
            raise ValueError(loss)
        self.named = {'1': self.conv, '2': self.fc1, '3': self.fc2}

    def loss(self, X, y):
        N = X.shape[0]
        out = X
        for layer in self.layers:
            out = layer.forward(out)
        loss = self.criterion.forward(out, y)
        for layer in self.named.values():
            loss += self.reg / (2 * N) * np.sum(layer.params['W'] ** 2)

        dout = self.criterion.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)

        grads = {}
        for idx, layer in self.named.items():
            grads['W' + idx] = layer.grads['W'] + self.reg / N * layer.params['W']
            grads['b' + idx] = layer.grads['b']
        return loss, grads


def loss_and_grads(params, X, Y, spec):
    model = ThreeLayerConvNet(params, spec.loss, spec.l2)
    return model.loss(X, Y)
