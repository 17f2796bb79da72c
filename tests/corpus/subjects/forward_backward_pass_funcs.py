"""Plain functions: forward_pass returns a list of (a_prev, z, a) tuples, backward_pass walks it in reverse."""
import numpy as np


def apply_activation(name, z):
    return {
        "identity": lambda v: v,
        "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)),
        "tanh": np.tanh,
        "relu": lambda v: np.maximum(v, 0.0),
    }[name](z)


def activation_derivative(name, z, a):
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (z > 0).astype(np.float64)
    return np.ones_like(z)


def forward_pass(params, X, spec):
    layers = []
    a = X
    for l, name in enumerate(spec.activations, start=1):
        z = a @ params[f"W{l}"] + params[f"b{l}"]
        a_next = apply_activation(name, z)
        layers.append((a, z, a_next))
        a = a_next
    return a, layers


def loss_value(out, Y, kind):
    m = out.shape[0]
    if kind == "mse":
        return np.mean((out - Y) ** 2)
    if kind == "softmax_cross_entropy":
        s = out - out.max(axis=1, keepdims=True)
        return -np.sum(Y * (s - np.log(np.exp(s).sum(axis=1, keepdims=True)))) / m
    return np.sum(np.logaddexp(0.0, out) - Y * out) / m


def loss_gradient(out, Y, kind):
    m = out.shape[0]
    if kind == "mse":
        return out - Y
    if kind == "softmax_cross_entropy":
        e = np.exp(out - out.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True) - Y) / m
    return (1.0 / (1.0 + np.exp(-out)) - Y) / m


def backward_pass(params, layers, dout, spec, m):
    grads = {}
    for l in range(len(layers), 0, -1):
        a_prev, z, a = layers[l - 1]
        dz = dout * activation_derivative(spec.activations[l - 1], z, a)
        grads[f"W{l}"] = a_prev.T @ dz + spec.l2 / m * params[f"W{l}"]
        grads[f"b{l}"] = dz.sum(axis=0)
        dout = dz @ params[f"W{l}"].T
    return grads


def loss_and_grads(params, X, Y, spec):
    m = X.shape[0]
    out, layers = forward_pass(params, X, spec)
    loss = loss_value(out, Y, spec.loss)
    loss += spec.l2 / (2 * m) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, len(layers) + 1))
    grads = backward_pass(params, layers, loss_gradient(out, Y, spec.loss), spec, m)
    return float(loss), grads
