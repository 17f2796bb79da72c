"""CS231n assignment 2 style FullyConnectedNet: modular layer functions (affine_forward /
affine_backward, relu_forward / relu_backward, softmax_loss) chained in loss(), integer
labels, 0.5 * reg * sum(W * W) over every weight matrix.
"""
import numpy as np


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1).dot(w) + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = np.mean(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    dx = dout.copy()
    dx[cache <= 0] = 0
    return dx


def softmax_loss(x, y):
    shifted = x - np.max(x, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted), axis=1, keepdims=True)
    log_probs = shifted - np.log(Z)
    probs = np.exp(log_probs)
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx


class FullyConnectedNet:
    def __init__(self, params, num_layers, reg):
        self.params = params
        self.num_layers = num_layers
        self.reg = reg

    def loss(self, X, y):
        caches = {}
        out = X
        for i in range(1, self.num_layers):
            out, caches["affine%d" % i] = affine_forward(out, self.params["W%d" % i],
                                                         self.params["b%d" % i])
            out, caches["relu%d" % i] = relu_forward(out)
        L = self.num_layers
        scores, caches["affine%d" % L] = affine_forward(out, self.params["W%d" % L],
                                                        self.params["b%d" % L])

        loss, dscores = softmax_loss(scores, y)
        for i in range(1, L + 1):
            W = self.params["W%d" % i]
            loss += 0.5 * self.reg * np.sum(W * W)

        grads = {}
        dout, grads["W%d" % L], grads["b%d" % L] = affine_backward(dscores, caches["affine%d" % L])
        for i in range(L - 1, 0, -1):
            dout = relu_backward(dout, caches["relu%d" % i])
            dout, grads["W%d" % i], grads["b%d" % i] = affine_backward(dout, caches["affine%d" % i])
        for i in range(1, L):
            grads["W%d" % i] += self.reg * self.params["W%d" % i]
        return loss, grads


def fc_net_loss(params, X, y, spec):
    model = FullyConnectedNet(params, spec.depth, spec.l2)
    return model.loss(X, y)
