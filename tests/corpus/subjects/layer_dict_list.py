"""Network as a list of layer dicts ({'W','b','act'}); forward stores x/z/a in each dict, backward fills dW/db."""
import numpy as np


def act_forward(kind, z):
    if kind == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if kind == "tanh":
        return np.tanh(z)
    if kind == "relu":
        return np.maximum(z, 0.0)
    return z.copy()


def act_backward(kind, layer, grad):
    if kind == "sigmoid":
        return grad * layer["a"] * (1.0 - layer["a"])
    if kind == "tanh":
        return grad * (1.0 - layer["a"] ** 2)
    if kind == "relu":
        return grad * (layer["z"] > 0)
    return grad


def build(params, spec):
    return [{"W": params["W%d" % (i + 1)], "b": params["b%d" % (i + 1)], "act": spec.activations[i]}
            for i in range(len(spec.sizes) - 1)]


def loss_and_grads(params, X, Y, spec):
    net = build(params, spec)
    m = X.shape[0]

    x = X
    for layer in net:
        layer["x"] = x
        layer["z"] = x @ layer["W"] + layer["b"]
        layer["a"] = act_forward(layer["act"], layer["z"])
        x = layer["a"]
    out = x

    if spec.loss == "mse":
        loss = np.mean((out - Y) ** 2)
        grad = 2.0 * (out - Y) / out.size
    elif spec.loss == "softmax_cross_entropy":
        s = out - out.max(axis=1, keepdims=True)
        log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        loss = -(Y * log_p).sum() / m
        grad = (np.exp(log_p) - Y) / m
    else:
        loss = (np.logaddexp(0.0, out) - Y * out).sum() / m
        grad = (1.0 / (1.0 + np.exp(-out)) - Y) / m
    loss += spec.l2 / (2.0 * m) * sum((layer["W"] ** 2).sum() for layer in net)

    for layer in reversed(net):
        delta = act_backward(layer["act"], layer, grad)
        x_bar = layer["x"].mean(axis=0)
        layer["dW"] = np.outer(x_bar, delta.sum(axis=0)) + spec.l2 / m * layer["W"]
        layer["db"] = delta.sum(axis=0)
        grad = delta @ layer["W"].T

    grads = {}
    for i, layer in enumerate(net, start=1):
        grads["W%d" % i] = layer["dW"]
        grads["b%d" % i] = layer["db"]
    return float(loss), grads
