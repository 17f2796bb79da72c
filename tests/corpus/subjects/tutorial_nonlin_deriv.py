"""Classic tutorial style: an error term pushed back through the layers with nonlin(deriv=True)."""
import numpy as np


def nonlin(x, kind, deriv=False):
    # with deriv=True, x is the layer output
    if kind == "sigmoid":
        if deriv:
            return x * (1 - x)
        return 1 / (1 + np.exp(-x))
    if kind == "tanh":
        if deriv:
            return 1 - x * x
        return np.tanh(x)
    if kind == "relu":
        if deriv:
            return (x > 0).astype(float)
        return np.maximum(x, 0)
    if deriv:
        return np.ones_like(x)
    return x


def loss_and_grads(params, X, Y, spec):
    n_layers = len(spec.sizes) - 1
    m = len(X)

    layers = [X]
    for i in range(1, n_layers + 1):
        z = layers[-1].dot(params["W%d" % i]) + params["b%d" % i]
        layers.append(nonlin(z, spec.activations[i - 1]))
    output = layers[-1]

    if spec.loss == "mse":
        loss = np.mean((Y - output) ** 2)
        error = (Y - output) * 2.0 / output.size
    elif spec.loss == "softmax_cross_entropy":
        shifted = output - output.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -np.sum(Y * log_probs) / m
        error = (Y - np.exp(log_probs)) / m
    else:
        loss = np.sum(np.logaddexp(0, output) - Y * output) / m
        error = (Y - nonlin(output, "sigmoid")) / m

    loss += spec.l2 / (2 * m) * sum(np.sum(params["W%d" % i] ** 2) for i in range(1, n_layers + 1))

    grads = {}
    delta = error * nonlin(output, spec.activations[-1], deriv=True)
    for i in range(n_layers, 0, -1):
        W = params["W%d" % i]
        grads["W%d" % i] = layers[i - 1].T.dot(delta) + spec.l2 / m * W
        grads["b%d" % i] = delta.sum(axis=0)
        if i > 1:
            delta = delta.dot(W.T) * nonlin(layers[i - 1], spec.activations[i - 2], deriv=True)
    return loss, grads
