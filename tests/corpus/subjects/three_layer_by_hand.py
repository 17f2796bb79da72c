"""Hard-coded three-layer network (two hidden layers, softmax output) with every step written out by hand."""
import numpy as np


def act(name, z):
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(0, z)
    return z


def act_deriv(name, z, a):
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a ** 2
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


def three_layer_loss(params, X, Y, spec):
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    W3, b3 = params["W3"], params["b3"]
    g1, g2 = spec.activations[0], spec.activations[1]
    N = X.shape[0]
    reg = spec.l2 / N

    z1 = X @ W1 + b1
    a1 = act(g1, z1)
    z2 = a1 @ W2 + b2
    a2 = act(g2, z2)
    scores = a2 @ W3 + b3

    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -np.sum(Y * log_probs) / N
    loss += 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2))

    dscores = (np.exp(log_probs) - Y) / N
    dW3 = a2.T @ dscores + reg * W3
    db3 = dscores.sum(axis=0)

    da2 = dscores @ W3.T
    dz2 = da2
    dW2 = a1.T @ dz2 + reg * W2
    db2 = dz2.sum(axis=0)

    da1 = dz2 @ W2.T
    dz1 = da1 * act_deriv(g1, z1, a1)
    dW1 = X.T @ dz1 + reg * W1
    db1 = dz1.sum(axis=0)

    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}
