"""Activation functions and their derivatives in a lookup table, vectorised over the batch."""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh_grad(y):
    return 1.0 - y ** 2


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(y):
    return (y > 0).astype(float)


def identity(x):
    return x


def identity_grad(y):
    return np.ones_like(y)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (np.tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "identity": (identity, identity_grad),
}


def loss_and_grads(params, X, Y, spec):
    depth = len(spec.sizes) - 1
    batch = X.shape[0]

    outputs = [X]
    for k in range(depth):
        f, _ = ACTIVATIONS[spec.activations[k]]
        outputs.append(f(outputs[-1] @ params["W%d" % (k + 1)] + params["b%d" % (k + 1)]))
    out = outputs[-1]

    if spec.loss == "mse":
        loss = np.mean((out - Y) ** 2)
        d_out = 2.0 * (out - Y) / out.size
    elif spec.loss == "softmax_cross_entropy":
        shifted = out - np.max(out, axis=1, keepdims=True)
        log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        loss = -np.mean(np.sum(Y * log_softmax, axis=1))
        d_out = (np.exp(log_softmax) - Y) / batch
    else:
        loss = np.mean(np.sum(np.logaddexp(0.0, out) - Y * out, axis=1))
        d_out = (sigmoid(out) - Y) / batch
    loss += spec.l2 / (2 * batch) * sum(np.sum(params["W%d" % (k + 1)] ** 2) for k in range(depth))

    grads = {}
    for k in reversed(range(depth)):
        _, f_grad = ACTIVATIONS[spec.activations[k]]
        d_pre = d_out * f_grad(outputs[k + 1])
        grads["W%d" % (k + 1)] = outputs[k].T @ d_pre + spec.l2 / batch * params["W%d" % (k + 1)]
        grads["b%d" % (k + 1)] = d_pre.sum(axis=0)
        d_out = d_pre @ params["W%d" % (k + 1)].T
    return float(loss), grads
