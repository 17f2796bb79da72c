"""Write the synthetic class: benchmarks/class/submissions/ and benchmarks/class/MANIFEST.json.

    python benchmarks/class/make_class.py

The assignment (README.md here): ``loss_and_grads(params, X, Y, spec) -> (loss, grads)`` in the
xw layout for a softmax cross-entropy classifier of any depth, hidden layers relu, tanh or
sigmoid, one-hot Y, the contract's L2 penalty ``l2 / (2 batch) sum W^2``.

Eight correct programs in different styles (STYLES) are the starting points; a student is a
style with zero, one or two edits (``(old, new)``: the unique text ``old`` replaced by ``new``),
or one of the hand-written misbehaving files (HAZARDS). Each edit that is a bug names its
catalogue id (``crosscheck pitfalls``) or ``other``; its buggy lines are found in the written
file by the text ``new`` puts there, so the manifest always quotes the file as written.
Deterministic: same script, same files. numpy and the standard library only.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "submissions"

# ---- the eight correct styles -------------------------------------------------------------

LOOPS = '''\
"""Homework 3: backprop for an MLP classifier. Layers in lists, vectorised over the batch."""
import numpy as np


def _act(name, z):
    if name == "relu":
        return np.maximum(z, 0)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    return z


def _act_grad(name, z, a):
    if name == "relu":
        return (z > 0).astype(float)
    if name == "tanh":
        return 1 - a ** 2
    if name == "sigmoid":
        return a * (1 - a)
    return np.ones_like(z)


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    n = X.shape[0]
    zs, acts = [], [X]
    for l in range(1, L + 1):
        z = acts[-1] @ params[f"W{l}"] + params[f"b{l}"]
        zs.append(z)
        acts.append(_act(spec.activations[l - 1], z))
    scores = acts[-1]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -np.sum(Y * log_probs) / n
    loss += spec.l2 / (2 * n) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))

    delta = (np.exp(log_probs) - Y) / n
    grads = {}
    for l in range(L, 0, -1):
        dz = delta * _act_grad(spec.activations[l - 1], zs[l - 1], acts[l])
        grads[f"W{l}"] = acts[l - 1].T @ dz + spec.l2 / n * params[f"W{l}"]
        grads[f"b{l}"] = dz.sum(axis=0)
        delta = dz @ params[f"W{l}"].T
    return loss, grads
'''

COLUMNS = '''\
"""Backprop in the Deep Learning Specialization layout: examples are columns, W[l] is
(n_l, n_prev), caches per layer, then converted back to the assignment's layout."""
import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def forward_layer(A_prev, W, b, activation):
    Z = np.dot(W, A_prev) + b
    if activation == "relu":
        A = np.maximum(0, Z)
    elif activation == "tanh":
        A = np.tanh(Z)
    elif activation == "sigmoid":
        A = sigmoid(Z)
    else:
        A = Z
    return A, (A_prev, W, Z, A)


def backward_layer(dA, cache, activation, lambd):
    A_prev, W, Z, A = cache
    m = A_prev.shape[1]
    if activation == "relu":
        dZ = np.array(dA, copy=True)
        dZ[Z <= 0] = 0
    elif activation == "tanh":
        dZ = dA * (1 - np.power(A, 2))
    elif activation == "sigmoid":
        dZ = dA * A * (1 - A)
    else:
        dZ = dA
    dW = 1. / m * np.dot(dZ, A_prev.T) + lambd / m * W
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    parameters = {}
    for l in range(1, L + 1):
        parameters["W" + str(l)] = params["W" + str(l)].T
        parameters["b" + str(l)] = params["b" + str(l)].reshape(-1, 1)
    A = X.T
    Yt = Y.T
    m = A.shape[1]
    caches = []
    for l in range(1, L + 1):
        A, cache = forward_layer(A, parameters["W" + str(l)], parameters["b" + str(l)],
                                 spec.activations[l - 1])
        caches.append(cache)
    shifted = A - np.max(A, axis=0, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    cost = -1. / m * np.sum(Yt * log_p)
    cost += spec.l2 / (2 * m) * sum(np.sum(np.square(parameters["W" + str(l)])) for l in range(1, L + 1))

    grads = {}
    dZL = np.exp(log_p) - Yt
    dA = dZL
    for l in reversed(range(1, L + 1)):
        dA, dW, db = backward_layer(dA, caches[l - 1], spec.activations[l - 1], spec.l2)
        grads["W" + str(l)] = dW.T
        grads["b" + str(l)] = db.ravel()
    return cost, grads
'''

CLASSES = '''\
"""Layer classes in the "Deep Learning from Scratch" manner: Affine, activations and
SoftmaxWithLoss, each with forward and backward; the network is a list of layers."""
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)


class Relu:
    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out ** 2)


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Identity:
    def forward(self, x):
        return x

    def backward(self, dout):
        return dout


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        x = x - np.max(x, axis=1, keepdims=True)
        self.log_y = x - np.log(np.sum(np.exp(x), axis=1, keepdims=True))
        return -np.sum(t * self.log_y) / x.shape[0]

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return (np.exp(self.log_y) - self.t) * dout / batch_size


ACTIVATIONS = {"relu": Relu, "tanh": Tanh, "sigmoid": Sigmoid, "identity": Identity}


def loss_and_grads(params, X, Y, spec):
    layers = []
    for i in range(1, spec.depth + 1):
        layers.append(Affine(params["W%d" % i], params["b%d" % i]))
        layers.append(ACTIVATIONS[spec.activations[i - 1]]())
    last_layer = SoftmaxWithLoss()

    x = X
    for layer in layers:
        x = layer.forward(x)
    n = X.shape[0]
    weight_decay = 0.5 * spec.l2 / n * sum(np.sum(layer.W ** 2) for layer in layers[::2])
    loss = last_layer.forward(x, Y) + weight_decay

    dout = last_layer.backward(1)
    for layer in reversed(layers):
        dout = layer.backward(dout)
    grads = {}
    for i, affine in enumerate(layers[::2], start=1):
        grads["W%d" % i] = affine.dW + spec.l2 / n * affine.W
        grads["b%d" % i] = affine.db
    return loss, grads
'''

HELPERS = '''\
"""CS231n-style helpers: affine_forward/affine_backward and the nonlinearities return
caches, softmax_loss returns (loss, dscores); loss_and_grads chains them."""
import numpy as np


def affine_forward(x, w, b):
    out = x.dot(w) + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T)
    dw = x.T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def nonlin_forward(x, kind):
    if kind == "relu":
        out = np.maximum(0, x)
    elif kind == "tanh":
        out = np.tanh(x)
    elif kind == "sigmoid":
        out = 1.0 / (1.0 + np.exp(-x))
    else:
        out = x
    return out, (x, out, kind)


def nonlin_backward(dout, cache):
    x, out, kind = cache
    if kind == "relu":
        return dout * (x > 0)
    if kind == "tanh":
        return dout * (1 - out ** 2)
    if kind == "sigmoid":
        return dout * out * (1 - out)
    return dout


def softmax_loss(x, y):
    N = x.shape[0]
    shifted_logits = x - np.max(x, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted_logits), axis=1, keepdims=True)
    log_probs = shifted_logits - np.log(Z)
    probs = np.exp(log_probs)
    loss = -np.sum(y * log_probs) / N
    dx = (probs - y) / N
    return loss, dx


def loss_and_grads(params, X, Y, spec):
    num_layers = spec.depth
    N = X.shape[0]
    reg = spec.l2 / N
    out = X
    caches = []
    for i in range(1, num_layers + 1):
        out, fc_cache = affine_forward(out, params["W%d" % i], params["b%d" % i])
        out, nl_cache = nonlin_forward(out, spec.activations[i - 1])
        caches.append((fc_cache, nl_cache))
    loss, dout = softmax_loss(out, Y)
    for i in range(1, num_layers + 1):
        loss += 0.5 * reg * np.sum(params["W%d" % i] * params["W%d" % i])

    grads = {}
    for i in range(num_layers, 0, -1):
        fc_cache, nl_cache = caches[i - 1]
        dout = nonlin_backward(dout, nl_cache)
        dout, dw, db = affine_backward(dout, fc_cache)
        grads["W%d" % i] = dw + reg * params["W%d" % i]
        grads["b%d" % i] = db
    return loss, grads
'''

PER_SAMPLE = '''\
"""One example at a time: each row of X goes forward and backward on its own and the
gradients are averaged at the end (the way the lecture notes first derive it)."""
import numpy as np


def f(kind, z):
    if kind == "relu":
        return np.maximum(z, 0.0)
    if kind == "tanh":
        return np.tanh(z)
    if kind == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    return z


def f_prime(kind, z):
    if kind == "relu":
        return (z > 0) * 1.0
    if kind == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if kind == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 - s)
    return np.ones_like(z)


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    m = X.shape[0]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    total = 0.0
    for i in range(m):
        x, y = X[i], Y[i]
        zs, acts = [], [x]
        for l in range(1, L + 1):
            z = acts[-1] @ params["W%d" % l] + params["b%d" % l]
            zs.append(z)
            acts.append(f(spec.activations[l - 1], z))
        s = acts[-1] - np.max(acts[-1])
        log_p = s - np.log(np.sum(np.exp(s)))
        total += -np.sum(y * log_p)
        d = np.exp(log_p) - y
        for l in range(L, 0, -1):
            d = d * f_prime(spec.activations[l - 1], zs[l - 1])
            grads["W%d" % l] += np.outer(acts[l - 1], d)
            grads["b%d" % l] += d
            d = params["W%d" % l] @ d
    loss = total / m + spec.l2 / (2 * m) * sum(np.sum(params["W%d" % l] ** 2) for l in range(1, L + 1))
    for l in range(1, L + 1):
        grads["W%d" % l] = grads["W%d" % l] / m + spec.l2 / m * params["W%d" % l]
        grads["b%d" % l] = grads["b%d" % l] / m
    return loss, grads
'''

DICT_CACHE = '''\
"""Andrew Ng style, rows are examples: forward_propagation fills a cache dict (Z1, A1, ...),
compute_cost, backward_propagation reads it back."""
import numpy as np


def activation(Z, name):
    if name == "relu":
        return np.maximum(0, Z)
    if name == "tanh":
        return np.tanh(Z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-Z))
    return Z


def activation_derivative(Z, A, name):
    if name == "relu":
        return np.where(Z > 0, 1.0, 0.0)
    if name == "tanh":
        return 1 - np.power(A, 2)
    if name == "sigmoid":
        return A * (1 - A)
    return np.ones_like(Z)


def forward_propagation(X, params, spec):
    cache = {"A0": X}
    for l in range(1, spec.depth + 1):
        cache["Z%d" % l] = cache["A%d" % (l - 1)] @ params["W%d" % l] + params["b%d" % l]
        cache["A%d" % l] = activation(cache["Z%d" % l], spec.activations[l - 1])
    return cache


def compute_cost(AL, Y, params, spec):
    m = Y.shape[0]
    shifted = AL - AL.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    cost = -np.sum(Y * logp) / m
    cost += (spec.l2 / (2 * m)) * sum(np.sum(np.square(params["W%d" % l])) for l in range(1, spec.depth + 1))
    return cost, logp


def backward_propagation(cache, logp, Y, params, spec):
    m = Y.shape[0]
    L = spec.depth
    grads = {}
    dA = (np.exp(logp) - Y) / m
    for l in reversed(range(1, L + 1)):
        dZ = dA * activation_derivative(cache["Z%d" % l], cache["A%d" % l], spec.activations[l - 1])
        grads["W%d" % l] = cache["A%d" % (l - 1)].T @ dZ + (spec.l2 / m) * params["W%d" % l]
        grads["b%d" % l] = np.sum(dZ, axis=0)
        dA = dZ @ params["W%d" % l].T
    return grads


def loss_and_grads(params, X, Y, spec):
    cache = forward_propagation(X, params, spec)
    cost, logp = compute_cost(cache["A%d" % spec.depth], Y, params, spec)
    grads = backward_propagation(cache, logp, Y, params, spec)
    return cost, grads
'''

NET_CLASS = '''\
"""An MLP class with forward() and backward() methods; matrix products with einsum."""
import numpy as np


class MLP:
    def __init__(self, params, spec):
        self.spec = spec
        self.W = [params["W%d" % i] for i in range(1, spec.depth + 1)]
        self.b = [params["b%d" % i] for i in range(1, spec.depth + 1)]

    @staticmethod
    def g(kind, z):
        if kind == "relu":
            return z * (z > 0)
        if kind == "tanh":
            return np.tanh(z)
        if kind == "sigmoid":
            return 0.5 * (1 + np.tanh(0.5 * z))
        return z

    @staticmethod
    def dg(kind, z, a):
        if kind == "relu":
            return 1.0 * (z > 0)
        if kind == "tanh":
            return 1 - a * a
        if kind == "sigmoid":
            return a - a * a
        return 1.0

    def forward(self, X):
        self.zs, self.acts = [], [X]
        for W, b, kind in zip(self.W, self.b, self.spec.activations):
            z = np.einsum("ni,io->no", self.acts[-1], W) + b
            self.zs.append(z)
            self.acts.append(self.g(kind, z))
        return self.acts[-1]

    def loss(self, scores, Y):
        n = Y.shape[0]
        top = scores.max(axis=1, keepdims=True)
        lse = top + np.log(np.exp(scores - top).sum(axis=1, keepdims=True))
        self.probs = np.exp(scores - lse)
        data = np.sum(Y * (lse - scores)) / n
        return data + 0.5 * self.spec.l2 / n * sum(np.sum(W * W) for W in self.W)

    def backward(self, Y):
        n = Y.shape[0]
        grads = {}
        d = (self.probs - Y) / n
        for i in reversed(range(self.spec.depth)):
            d = d * self.dg(self.spec.activations[i], self.zs[i], self.acts[i + 1])
            grads["W%d" % (i + 1)] = np.einsum("ni,no->io", self.acts[i], d) + self.spec.l2 / n * self.W[i]
            grads["b%d" % (i + 1)] = d.sum(axis=0)
            d = np.einsum("no,io->ni", d, self.W[i])
        return grads


def loss_and_grads(params, X, Y, spec):
    model = MLP(params, spec)
    scores = model.forward(X)
    loss = model.loss(scores, Y)
    return loss, model.backward(Y)
'''

RECURSIVE = '''\
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
    return -(Y * log_p).sum() / n, (np.exp(log_p) - Y) / n


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
'''

STYLES = {
    "loops": (LOOPS, "layer loop over lists, vectorised"),
    "columns": (COLUMNS, "Deep Learning Specialization layout, examples as columns"),
    "classes": (CLASSES, "DLFS layer classes"),
    "helpers": (HELPERS, "CS231n helper functions with caches"),
    "per_sample": (PER_SAMPLE, "per-example loop, averaged at the end"),
    "dict_cache": (DICT_CACHE, "Ng-style forward/cost/backward helpers, cache dict"),
    "net_class": (NET_CLASS, "MLP class with methods, einsum"),
    "recursive": (RECURSIVE, "recursive backprop, one layer per call"),
}

# ---- the students ---------------------------------------------------------------------------
# (name, style, [edits], notes); an edit is (bug id or None, old text, new text). A bug id of
# None is a cosmetic edit (a print, a rename) that leaves the code correct.

def prints(loss="loss"):
    """A correct ending that prints about 3,000 lines per call."""
    return (f'    return {loss}, grads\n',
            '    for name in sorted(grads):\n'
            '        for row in np.atleast_2d(grads[name]):\n'
            '            print("debug", name, row)\n'
            '    for step in range(3000):\n'
            f'        print("iteration", step, "loss", {loss})\n'
            f'    return {loss}, grads\n')

STUDENTS = [
    # correct, in every style
    ("s01_adams", "loops", [], ""),
    ("s02_baker", "columns", [], ""),
    ("s03_chen", "classes", [], ""),
    ("s04_diaz", "helpers", [], ""),
    ("s05_evans", "per_sample", [], ""),
    ("s06_fischer", "dict_cache", [], ""),
    ("s07_garcia", "net_class", [], ""),
    ("s08_hughes", "recursive", [], ""),
    ("s09_ivanova", "helpers", [(None, "reg = spec.l2 / N", "lam = spec.l2\n    reg = lam / N")], ""),
    ("s10_jones", "loops", [(None, *prints())], "prints about 3,000 lines per call; correct"),
    ("s11_kim", "classes", [("convention:relu-tie-convention", "self.mask = (x <= 0)", "self.mask = (x < 0)")],
     "ReLU'(0) = 1: a convention (issue 19), not a bug; fails only with --strict"),
    # one catalogued bug each
    ("s12_lopez", "loops", [("sign-flip", "delta = (np.exp(log_probs) - Y) / n", "delta = (Y - np.exp(log_probs)) / n")], ""),
    ("s13_martin", "loops", [("batch-scale", "delta = (np.exp(log_probs) - Y) / n", "delta = np.exp(log_probs) - Y")],
     "the data term summed, the L2 term right"),
    ("s14_nakamura", "helpers", [("batch-scale", "    dx = (probs - y) / N", "    dx = probs - y"),
                                 ("batch-scale", "grads[\"W%d\" % i] = dw + reg * params[\"W%d\" % i]",
                                  "grads[\"W%d\" % i] = dw + spec.l2 * params[\"W%d\" % i]")],
     "one bug on two lines: the gradient of the summed loss (data and L2 terms)"),
    ("s15_okafor", "loops", [("bias-mean-vs-sum", "grads[f\"b{l}\"] = dz.sum(axis=0)", "grads[f\"b{l}\"] = dz.mean(axis=0)")], ""),
    ("s16_patel", "dict_cache", [("bias-mean-vs-sum", "grads[\"b%d\" % l] = np.sum(dZ, axis=0)", "grads[\"b%d\" % l] = np.mean(dZ, axis=0)")], ""),
    ("s17_quinn", "columns", [("bias-reduce-axis", "db = 1. / m * np.sum(dZ, axis=1, keepdims=True)",
                               "db = 1. / m * np.sum(dZ, axis=0, keepdims=True)")],
     "db has one value per example: a wrong shape unless batch == width"),
    ("s18_rossi", "dict_cache", [("mean-before-outer", "grads[\"W%d\" % l] = cache[\"A%d\" % (l - 1)].T @ dZ + (spec.l2 / m) * params[\"W%d\" % l]",
                                  "grads[\"W%d\" % l] = m * np.outer(cache[\"A%d\" % (l - 1)].mean(axis=0), dZ.mean(axis=0)) + (spec.l2 / m) * params[\"W%d\" % l]")], ""),
    ("s19_silva", "loops", [("hidden-uses-input", "grads[f\"W{l}\"] = acts[l - 1].T @ dz + spec.l2 / n * params[f\"W{l}\"]",
                             "grads[f\"W{l}\"] = X.T @ dz + spec.l2 / n * params[f\"W{l}\"]")],
     "raises on most networks (shapes), wrong on the rest"),
    ("s20_tanaka", "loops", [("sigmoid-deriv-input", "        return a * (1 - a)\n    return np.ones_like(z)",
                              "        return _act(\"sigmoid\", a) * (1 - _act(\"sigmoid\", a))\n    return np.ones_like(z)")],
     "shows on networks with a sigmoid hidden layer"),
    ("s21_ueda", "classes", [("tanh-deriv-input", "        self.out = np.tanh(x)\n        return self.out\n\n    def backward(self, dout):\n        return dout * (1.0 - self.out ** 2)",
                              "        self.x = x\n        return np.tanh(x)\n\n    def backward(self, dout):\n        return dout * (1.0 - self.x ** 2)")],
     "shows on networks with a tanh hidden layer"),
    ("s22_vargas", "dict_cache", [("relu-deriv-on-z", "return np.where(Z > 0, 1.0, 0.0)", "return np.where(Z > 0, 1.0, Z)")],
     "shows on networks with a relu hidden layer"),
    ("s23_wang", "helpers", [("reg-on-bias", "        loss += 0.5 * reg * np.sum(params[\"W%d\" % i] * params[\"W%d\" % i])",
                              "        loss += 0.5 * reg * np.sum(params[\"W%d\" % i] * params[\"W%d\" % i])\n        loss += 0.5 * reg * np.sum(params[\"b%d\" % i] * params[\"b%d\" % i])"),
                             ("reg-on-bias", "grads[\"b%d\" % i] = db", "grads[\"b%d\" % i] = db + reg * params[\"b%d\" % i]")],
     "one bug on two lines; shows when l2 > 0"),
    ("s24_xu", "helpers", [("transposed-weight", "    dw = x.T.dot(dout)", "    dw = dout.T.dot(x)")],
     "dw transposed: the L2 term then raises (shapes) unless the layer is square"),
    ("s25_young", "loops", [("softmax-unstable", "shifted = scores - scores.max(axis=1, keepdims=True)", "shifted = scores")],
     "shows only at large logits (the edge networks)"),
    ("s26_zhang", "classes", [("upstream-ignored", "        return dout * (1.0 - self.out) * self.out", "        return (1.0 - self.out) * self.out")],
     "shows on networks with a sigmoid hidden layer"),
    ("s27_abbott", "classes", [("loss-log-epsilon", "        return -np.sum(t * self.log_y) / x.shape[0]",
                                "        return -np.sum(t * np.log(np.exp(self.log_y) + 1e-7)) / x.shape[0]")],
     "the loss value only"),
    ("s28_bose", "loops", [("param-never-updated", "        grads[f\"b{l}\"] = dz.sum(axis=0)\n", "        grads[f\"b{l}\"] = np.zeros_like(params[f\"b{l}\"])\n")],
     "every bias gradient left at zero"),
    ("s29_cruz", "helpers", [("loss-overflow", "    loss = -np.sum(y * log_probs) / N", "    loss = -np.sum(y * np.log(probs)) / N")],
     "the loss only, at large logits (edge networks): log(0) * 0 = nan; gradients right"),
    ("s30_dubois", "classes", [("bias-row-broadcast", "self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout, axis=0, keepdims=True)")],
     "every db of shape (1, n)"),
    ("s31_eze", "columns", [("stray-constant-factor", "    dZL = np.exp(log_p) - Yt", "    dZL = 2 * (np.exp(log_p) - Yt)")],
     "every data gradient doubled, the L2 terms right"),
    ("s32_fox", "dict_cache", [("batch-mean-input-row", "        grads[\"W%d\" % l] = cache[\"A%d\" % (l - 1)].T @ dZ + (spec.l2 / m) * params[\"W%d\" % l]",
                                "        A_prev = cache[\"A%d\" % (l - 1)] if l > 1 else np.tile(X_mean, (m, 1))\n        grads[\"W%d\" % l] = A_prev.T @ dZ + (spec.l2 / m) * params[\"W%d\" % l]"),
                               ("batch-mean-input-row", "    grads = {}\n    dA = (np.exp(logp) - Y) / m", "    grads = {}\n    X_mean = cache[\"A0\"].mean(axis=0)\n    dA = (np.exp(logp) - Y) / m")],
     "W1 built from the batch-mean input row"),
    ("s33_gupta", "net_class", [("relu-deriv-on-z", "            return 1.0 * (z > 0)", "            return (z > 0) + z * (z <= 0)")],
     "shows on networks with a relu hidden layer"),
    ("s34_hall", "per_sample", [("sigmoid-deriv-input", "        s = 1.0 / (1.0 + np.exp(-z))\n        return s * (1.0 - s)",
                                 "        s = 1.0 / (1.0 + np.exp(-z))\n        return f(\"sigmoid\", s) * (1.0 - f(\"sigmoid\", s))")],
     "shows on networks with a sigmoid hidden layer"),
    ("s35_ito", "recursive", [("tanh-deriv-input", "\"tanh\": (np.tanh, lambda z, a: 1 - a ** 2)", "\"tanh\": (np.tanh, lambda z, a: 1 - z ** 2)")],
     "shows on networks with a tanh hidden layer"),
    ("s36_jensen", "net_class", [("stray-constant-factor", "grads[\"W%d\" % (i + 1)] = np.einsum(\"ni,no->io\", self.acts[i], d) + self.spec.l2 / n * self.W[i]",
                                  "grads[\"W%d\" % (i + 1)] = 2 * np.einsum(\"ni,no->io\", self.acts[i], d) + self.spec.l2 / n * self.W[i]")],
     "every weight's data term doubled"),
    ("s37_kaur", "recursive", [("sign-flip", "    return -(Y * log_p).sum() / n, (np.exp(log_p) - Y) / n", "    return -(Y * log_p).sum() / n, (Y - np.exp(log_p)) / n")], ""),
    ("s38_lund", "columns", [("reg-on-bias", "    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)", "    db = 1. / m * np.sum(dZ, axis=1, keepdims=True) + lambd / m * b"),
                             (None, "def backward_layer(dA, cache, activation, lambd):\n    A_prev, W, Z, A = cache",
                              "def backward_layer(dA, cache, activation, lambd, b):\n    A_prev, W, Z, A = cache"),
                             (None, "spec.activations[l - 1], spec.l2)", "spec.activations[l - 1], spec.l2,\n                                        parameters[\"b\" + str(l)])")],
     "the bias gradient gets an L2 term the loss does not have; shows when l2 > 0"),
    ("s39_moreau", "per_sample", [("batch-mean-input-row", "grads[\"W%d\" % l] += np.outer(acts[l - 1], d)", "grads[\"W%d\" % l] += np.outer(acts[l - 1], d) if l > 1 else np.outer(X.mean(axis=0), d)")],
     "the first layer's weight gradient from the batch-mean input, one example at a time"),
    # two bugs
    ("s40_nilsson", "loops", [("bias-mean-vs-sum", "grads[f\"b{l}\"] = dz.sum(axis=0)", "grads[f\"b{l}\"] = dz.mean(axis=0)"),
                              ("tanh-deriv-input", "        return 1 - a ** 2", "        return 1 - z ** 2")], ""),
    ("s41_obi", "helpers", [("transposed-weight", "    dw = x.T.dot(dout)", "    dw = dout.T.dot(x)"),
                            ("softmax-unstable", "    shifted_logits = x - np.max(x, axis=1, keepdims=True)", "    shifted_logits = x")], ""),
    ("s42_park", "dict_cache", [("sign-flip", "    dA = (np.exp(logp) - Y) / m", "    dA = (Y - np.exp(logp)) / m"),
                                ("reg-on-bias", "grads[\"b%d\" % l] = np.sum(dZ, axis=0)", "grads[\"b%d\" % l] = np.sum(dZ, axis=0) + (spec.l2 / m) * params[\"b%d\" % l]")], ""),
    ("s43_reyes", "classes", [("bias-row-broadcast", "self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout, axis=0, keepdims=True)"),
                              ("upstream-ignored", "        return dout * (1.0 - self.out ** 2)", "        return 1.0 - self.out ** 2")], ""),
    ("s44_sato", "columns", [("other", "        dZ[Z <= 0] = 0", "        dZ[Z > 0] = dA[Z > 0]"),
                             ("stray-constant-factor", "    dZL = np.exp(log_p) - Yt", "    dZL = 0.5 * (np.exp(log_p) - Yt)")],
     "relu: dZ keeps dA where z <= 0 as well (the mask never applied: derivative 1 everywhere), and the data gradients halved"),
    # bugs outside the catalogue
    ("s45_thompson", "loops", [("other", "shifted = scores - scores.max(axis=1, keepdims=True)\n    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
                                "shifted = scores - scores.max(axis=0, keepdims=True)\n    log_probs = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))")],
     "softmax over the batch axis"),
    ("s46_ulrich", "per_sample", [("other", "        return 1.0 - np.tanh(z) ** 2", "        return 1.0 - np.tanh(z)")],
     "tanh' written 1 - tanh(z)"),
    ("s47_volkov", "recursive", [("other", "        grads[f\"W{l}\"] = grads[f\"W{l}\"] + spec.l2 / n * W\n",
                                  "    grads[f\"W{l}\"] = grads[f\"W{l}\"] + spec.l2 / n * W\n")],
     "the L2 gradient only on the last layer (a de-indented line)"),
]

# what a failing student's code does, where it is not simply wrong gradients
KINDS = {"s17_quinn": "wrong-shape", "s30_dubois": "wrong-shape", "s43_reyes": "wrong-shape",
         "s24_xu": "exception", "s41_obi": "exception", "s19_silva": "exception"}

# Hand-written submissions: hazards (they hang, raise, exit, do not parse, print) and
# shapes. Each: (name, source, verdict, kind, bugs, notes). Lines are given by text.
HAZARDS = [
    ("s48_wagner", LOOPS.replace(
        "    L = spec.depth\n    n = X.shape[0]\n",
        "    L = spec.depth\n    n = X.shape[0]\n    converged = False\n    while not converged:\n        loss = 0.0\n", 1),
     "fail", "timeout", [("other", ["while not converged:"])], "an infinite loop in the function (every call times out)"),
    ("s49_xiong", "\"\"\"Homework 3 (started, not finished).\"\"\"\nimport numpy as np\n\n\n"
     "def loss_and_grads(params, X, Y, spec):\n    # TODO: forward pass\n    # TODO: backward pass\n"
     "    raise NotImplementedError(\"backprop not written yet\")\n",
     "fail", "exception", [("other", ["raise NotImplementedError(\"backprop not written yet\")"])], "raises on every call"),
    ("s50_yilmaz", LOOPS.replace("        grads[f\"b{l}\"] = dz.sum(axis=0)\n", "        grads[f\"b{l}\"] = dz.sum(axis=0)\n        grads[f\"b{l}\" = dz.sum(axis=0)\n", 1),
     "error", "syntax-error", [("other", ["grads[f\"b{l}\" = dz.sum(axis=0)"])], "does not parse"),
    ("s51_zeller", HELPERS.replace("def softmax_loss(x, y):\n", "def softmax_loss(x, y)\n", 1),
     "error", "syntax-error", [("other", ["def softmax_loss(x, y)"])], "does not parse (a missing colon)"),
    ("s52_amari", DICT_CACHE.replace("    cache = forward_propagation(X, params, spec)\n",
                                     "    import os\n    cache = forward_propagation(X, params, spec)\n    os._exit(0)\n", 1),
     "fail", "exit", [("other", ["os._exit(0)"])], "os._exit(0) inside the function: the process ends with status 0"),
    ("s53_brandt", CLASSES + "\n\nimport os  # noqa: E402\nos._exit(0)\n",
     "error", "exit-at-import", [("other", ["os._exit(0)"])], "os._exit(0) when the module is imported"),
    ("s54_castro", NET_CLASS.replace("    loss = model.loss(scores, Y)\n", "    loss = model.loss(scores, Y)\n    import sys\n    sys.exit(\"done\")\n", 1),
     "fail", "exit", [("other", ["sys.exit(\"done\")"])], "sys.exit inside the function (SystemExit)"),
    ("s55_dahl", RECURSIVE + "\n\nwhile True:  # keep the demo window open\n    pass\n",
     "error", "import-timeout", [("other", ["while True:  # keep the demo window open"])], "an infinite loop at import"),
    ("s56_engel", PER_SAMPLE.replace("    return loss, grads\n",
                                     "    for name in grads:\n        print(name, grads[name].tolist())\n"
                                     "    print(\"=\" * 20000)\n    return loss, {k: v.T for k, v in grads.items()}\n", 1),
     "fail", "wrong-shape", [("other", ["return loss, {k: v.T for k, v in grads.items()}"])],
     "prints a lot and returns every W transposed (wrong shapes unless square) and b unchanged"),
    ("s57_fujita", LOOPS.replace("        grads[f\"b{l}\"] = dz.sum(axis=0)\n", "        grads[f\"b{l}\"] = dz.sum(axis=0).reshape(-1, 1)\n", 1),
     "fail", "wrong-shape", [("other", ["grads[f\"b{l}\"] = dz.sum(axis=0).reshape(-1, 1)"])],
     "every db a column (n, 1): right numbers, wrong shape"),
    ("s58_gomez", '''\
"""The lecture's two-layer network, written out for exactly two layers."""
import numpy as np


def loss_and_grads(params, X, Y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    scores = h @ W2 + b2
    scores = scores - scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    loss = -np.sum(Y * log_probs) / n + spec.l2 / (2 * n) * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dscores = (np.exp(log_probs) - Y) / n
    dW2 = h.T @ dscores + spec.l2 / n * W2
    db2 = dscores.sum(axis=0)
    dh = dscores @ W2.T
    dz1 = dh * (z1 > 0)
    dW1 = X.T @ dz1 + spec.l2 / n * W1
    db1 = dz1.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
''', "fail", "wrong-networks", [("other", ['W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]', "h = np.maximum(z1, 0)", "dz1 = dh * (z1 > 0)"])],
     "hard-coded two layers and relu: raises (KeyError) on other depths, wrong with a tanh or sigmoid hidden layer"),
]

# One folder per student, a module inside (and a helper module for one of them).
FOLDERS = [
    ("s59_hansen", "solution.py", "dict_cache", [], ""),
    ("s60_iqbal", "hw3.py", "net_class", [("softmax-unstable", "        top = scores.max(axis=1, keepdims=True)", "        top = 0.0")],
     "shows only at large logits (the edge networks)"),
    ("s61_jovanovic", "backprop.py", "per_sample", [("bias-mean-vs-sum", "        grads[\"b%d\" % l] = grads[\"b%d\" % l] / m", "        grads[\"b%d\" % l] = grads[\"b%d\" % l] / m / m")],
     "the bias gradient divided by the batch twice"),
    ("s62_kowalski", "main.py", None, [], "a folder with two modules: main.py imports its own layers.py"),
    ("s63_larsen", "submission.py", "columns", [(None, *prints("cost"))], "prints about 3,000 lines per call; correct"),
]

KOWALSKI_LAYERS = '''\
"""My layers (forward and backward), used by main.py."""
import numpy as np


def dense_forward(a, W, b):
    return a @ W + b


def dense_backward(dz, a_prev, W):
    return a_prev.T @ dz, dz.sum(axis=0), dz @ W.T


def act_forward(kind, z):
    return {"relu": lambda v: np.maximum(v, 0), "tanh": np.tanh,
            "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "identity": lambda v: v}[kind](z)


def act_backward(kind, da, z, a):
    if kind == "relu":
        return da * (z > 0)
    if kind == "tanh":
        return da * (1 - a ** 2)
    if kind == "sigmoid":
        return da * a * (1 - a)
    return da
'''

KOWALSKI_MAIN = '''\
"""Homework 3, built on my layers module."""
import numpy as np
from layers import act_backward, act_forward, dense_backward, dense_forward


def loss_and_grads(params, X, Y, spec):
    n, L = X.shape[0], spec.depth
    a, zs = [X], []
    for l in range(1, L + 1):
        zs.append(dense_forward(a[-1], params[f"W{l}"], params[f"b{l}"]))
        a.append(act_forward(spec.activations[l - 1], zs[-1]))
    s = a[-1] - a[-1].max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    loss = -(Y * logp).sum() / n + spec.l2 / (2 * n) * sum((params[f"W{l}"] ** 2).sum() for l in range(1, L + 1))
    da = (np.exp(logp) - Y) / n
    grads = {}
    for l in range(L, 0, -1):
        dz = act_backward(spec.activations[l - 1], da, zs[l - 1], a[l])
        dW, db, da = dense_backward(dz, a[l - 1], params[f"W{l}"])
        grads[f"W{l}"], grads[f"b{l}"] = dW + spec.l2 / n * params[f"W{l}"], db
    return loss, grads
'''


def apply(source: str, edits: list) -> str:
    for _, old, new in edits:
        assert source.count(old) == 1, (old, source.count(old))
        source = source.replace(old, new)
    return source


def locate(source: str, texts: list[str]) -> tuple[list[int], list[str]]:
    """The 1-based lines holding each text (a text of several lines gives all of them)."""
    lines = source.splitlines()
    found = []
    for text in texts:
        for piece in text.splitlines():
            piece = piece.strip()
            hits = [i for i, line in enumerate(lines, 1) if line.strip() == piece]
            hits = hits or [i for i, line in enumerate(lines, 1) if piece in line]
            assert len(hits) == 1, (piece, hits)
            found.append(hits[0])
    found = sorted(set(found))
    return found, [lines[n - 1].strip() for n in found]


def bug_records(source: str, edits: list) -> tuple[list[dict], list[dict]]:
    """(bugs, conventions) with their lines, the edits grouped by id in order: the lines each
    edit wrote (not those it kept), found where its whole new text sits in ``source``."""
    by_id: dict[str, list[int]] = {}
    lines = source.splitlines()
    for bug, old, new in edits:
        if bug is None:
            continue
        assert source.count(new) == 1, (new, source.count(new))
        start = source[:source.index(new)].count("\n")  # 0-based line where new begins
        first = lines[start]
        offset = 0 if new.startswith(first.strip()) or first.strip() == new.splitlines()[0].strip() \
            or new.splitlines()[0].strip() in first else None
        assert offset == 0, (first, new)
        kept = set(old.splitlines())  # indentation counts: a de-indented line is an edit
        for k, line in enumerate(new.splitlines()):
            if line.strip() and line not in kept:
                by_id.setdefault(bug, []).append(start + k + 1)
    bugs, conventions = [], []
    for bug, numbers in by_id.items():
        numbers = sorted(set(numbers))
        record = {"id": bug.split(":", 1)[-1], "lines": numbers,
                  "line_text": [lines[n - 1].strip() for n in numbers]}
        (conventions if bug.startswith("convention:") else bugs).append(record)
    return bugs, conventions


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    manifest = []

    def add(name, path, source, style, verdict, kind, bugs, conventions, notes):
        manifest.append({"student": name, "path": path, "function": "loss_and_grads",
                         "style": style, "verdict": verdict, "kind": kind,
                         "bugs": bugs, "conventions": conventions, "notes": notes})

    for name, style, edits, notes in STUDENTS:
        base, label = STYLES[style]
        source = apply(base, edits)
        (OUT / f"{name}.py").write_text(source)
        bugs, conventions = bug_records(source, edits)
        verdict = "fail" if bugs else "pass"
        kind = "wrong-gradients" if bugs else ("convention" if conventions else "correct")
        kind = KINDS.get(name, kind)
        add(name, f"{name}.py", source, label, verdict, kind, bugs, conventions, notes)

    for name, source, verdict, kind, bugs, notes in HAZARDS:
        (OUT / f"{name}.py").write_text(source)
        records = []
        for bug, texts in bugs:
            lines, quoted = locate(source, texts)
            records.append({"id": bug, "lines": lines, "line_text": quoted})
        add(name, f"{name}.py", source, "hand-written", verdict, kind, records, [], notes)

    for name, module, style, edits, notes in FOLDERS:
        folder = OUT / name
        folder.mkdir()
        if style is None:
            (folder / "layers.py").write_text(KOWALSKI_LAYERS)
            source, label = KOWALSKI_MAIN, "own layers module imported from the same folder"
        else:
            base, label = STYLES[style]
            source = apply(base, edits)
        (folder / module).write_text(source)
        bugs, conventions = bug_records(source, edits)
        verdict = "fail" if bugs else "pass"
        kind = "wrong-gradients" if bugs else "correct"
        add(name, f"{name}/{module}", source, label, verdict, kind, bugs, conventions, notes)

    (HERE / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")
    counts: dict[str, int] = {}
    for e in manifest:
        counts[e["kind"]] = counts.get(e["kind"], 0) + 1
    print(f"{len(manifest)} submissions:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
