"""Backprop written as a recursion: each call does one layer's forward, recurses into the
rest of the network, and returns the gradient with respect to its own input."""
import numpy as np

PHI = {
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(float)),
    "tanh": (np.tanh, lambda z, a: 1 - a ** 2),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    "identity": (lambda z: z, lambda z, a: np.ones_like(z)),
}


def _softmax_ce(scores, Y):
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -(Y * log_p).sum() / n, (Y - np.exp(log_p)) / n


def _through(l, a_prev, params, Y, spec, grads):
    """Loss of layers l.. on input a_prev, and d loss / d a_prev; fills grads."""
    if l > spec.depth:
        return _softmax_ce(a_prev, Y)
    phi, dphi = PHI[spec.activations[l - 1]]
    W, b = params[f"W{l}"], params[f"b{l}"]
    z = a_prev @ W + b
    a = phi(z)
    loss, da = _through(l + 1, a, params, Y, spec, grads)
    dz = da * dphi(z, a)
    grads[f"W{l}"] = a_prev.T @ dz
    grads[f"b{l}"] = dz.sum(axis=0)
    return loss, dz @ W.T


def loss_and_grads(params, X, Y, spec):
    n = X.shape[0]
    grads = {}
    loss, _ = _through(1, X, params, Y, spec, grads)
    for l in range(1, spec.depth + 1):
        W = params[f"W{l}"]
        loss += spec.l2 / (2 * n) * np.sum(W * W)
        grads[f"W{l}"] = grads[f"W{l}"] + spec.l2 / n * W
    return loss, grads
