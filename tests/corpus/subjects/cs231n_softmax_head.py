"""Stacked affine layers with a softmax classifier head in the CS231n manner."""
import numpy as np


def activate(kind, z):
    if kind == "relu":
        return np.maximum(0, z)
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if kind == "tanh":
        return np.tanh(z)
    return z


def activate_backward(kind, dout, z, a):
    if kind == "relu":
        return dout * (z > 0)
    if kind == "sigmoid":
        return dout * a * (1 - a)
    if kind == "tanh":
        return dout * (1 - a * a)
    return dout


def head(scores, Y, kind):
    N = scores.shape[0]
    if kind == "softmax_cross_entropy":
        y = np.argmax(Y, axis=1)
        shifted = scores - np.max(scores, axis=1, keepdims=True)
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        loss = -np.sum(log_probs[np.arange(N), y]) / N
        dscores = np.exp(log_probs)
        dscores[np.arange(N), y] -= 1
        dscores /= N
        return loss, dscores
    if kind == "sigmoid_bce":
        loss = np.sum(np.logaddexp(0, scores) - Y * scores) / N
        return loss, (1 / (1 + np.exp(-scores)) - Y) / N
    return np.mean((scores - Y) ** 2), 2 * (scores - Y) / scores.size


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    N = X.shape[0]
    reg = spec.l2 / N
    zs, acts = [], [X]
    for i in range(1, L + 1):
        z = acts[-1].dot(params["W%d" % i]) + params["b%d" % i]
        zs.append(z)
        acts.append(activate(spec.activations[i - 1], z))

    loss, dout = head(acts[-1], Y, spec.loss)
    for i in range(1, L + 1):
        loss += 0.5 * reg * np.sum(params["W%d" % i] ** 2)

    grads = {}
    for i in range(L, 0, -1):
        dz = activate_backward(spec.activations[i - 1], dout, zs[i - 1], acts[i])
        grads["W%d" % i] = acts[i - 1].T.dot(dz) + reg * params["W%d" % i]
        grads["b%d" % i] = np.sum(dz, axis=0)
        dout = dz.dot(params["W%d" % i].T)
    return loss, grads
