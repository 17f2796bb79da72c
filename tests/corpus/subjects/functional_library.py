"""Small functional library (softmax, sigmoid, activation table) and a vectorised loss_and_grads over any depth."""
import numpy as np


def softmax(z):
    """Numerically stable softmax."""
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


FORWARD = {
    "identity": lambda z: z,
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
}

# derivative given (z, a)
DERIV = {
    "identity": lambda z, a: np.ones_like(z),
    "sigmoid": lambda z, a: a * (1.0 - a),
    "tanh": lambda z, a: 1.0 - a ** 2,
    "relu": lambda z, a: (z > 0).astype(float),
}


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    n = X.shape[0]
    a_list, z_list = [X], []
    for l in range(1, L + 1):
        z = a_list[-1] @ params[f"W{l}"] + params[f"b{l}"]
        z_list.append(z)
        a_list.append(FORWARD[spec.activations[l - 1]](z))
    out = a_list[-1]

    if spec.loss == "softmax_cross_entropy":
        p = softmax(out)
        loss = -np.sum(Y * np.log(p)) / n
        d = (p - Y) / n
    elif spec.loss == "sigmoid_bce":
        loss = np.sum(np.logaddexp(0.0, out) - Y * out) / n
        d = (sigmoid(out) - Y) / n
    else:
        loss = np.mean((out - Y) ** 2)
        d = 2.0 * (out - Y) / out.size
    loss += spec.l2 / (2 * n) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))

    grads = {}
    for l in range(L, 0, -1):
        d = d * DERIV[spec.activations[l - 1]](z_list[l - 1], a_list[l])
        grads[f"W{l}"] = a_list[l - 1].T @ d + spec.l2 / n * params[f"W{l}"]
        grads[f"b{l}"] = d.sum(axis=0)
        d = d @ params[f"W{l}"].T
    return float(loss), grads
