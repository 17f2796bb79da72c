"""Layers beyond the dense MLP, forward next to backward, in the CS231n convention.

``out, cache = KIND_forward(...)`` and ``grads = KIND_backward(dout, cache)``; the loss layers
return ``loss, dx`` in one call. numpy only, float64, nothing written into an argument (the
batch-norm running statistics live in a returned dict, not in the caller's). Conventions
where frameworks differ are torch's and tensorflow's: ReLU'(0) = 0, leaky ReLU'(0) = alpha,
a max-pooling tie routes its gradient to the first maximum in row-major order.

Every backward is the derivative of its forward: ``tests/test_reference_layers.py`` checks
each against PyTorch autograd and against central differences on random shapes.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "affine_backward", "affine_forward", "avg_pool_backward", "avg_pool_forward",
    "batchnorm_backward", "batchnorm_forward", "conv_backward", "conv_forward",
    "dropout_backward", "dropout_forward", "layernorm_backward", "layernorm_forward",
    "leaky_relu_backward", "leaky_relu_forward", "max_pool_backward", "max_pool_forward",
    "relu_backward", "relu_forward", "rnn_step_backward", "rnn_step_forward",
    "sigmoid_backward", "sigmoid_forward", "softmax_loss", "svm_loss", "tanh_backward",
    "tanh_forward", "word_embedding_backward", "word_embedding_forward",
]


# ---- affine: out = x.reshape(N, D) @ w + b ------------------------------------------------

def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    return dx, dw, dout.sum(axis=0)


# ---- elementwise activations ----------------------------------------------------------------

def relu_forward(x):
    return np.maximum(x, 0.0), x


def relu_backward(dout, x):
    return np.where(x > 0, dout, 0.0)  # 0 at the tie x == 0, as torch and tf


def leaky_relu_forward(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x), (x, alpha)


def leaky_relu_backward(dout, cache):
    x, alpha = cache
    return np.where(x > 0, dout, alpha * dout)  # alpha at the tie, as torch


def sigmoid_forward(x):
    out = np.exp(-np.logaddexp(0.0, -x))  # 1 / (1 + e^-x) without overflow
    return out, out


def sigmoid_backward(dout, out):
    return dout * out * (1.0 - out)  # sigma' written with the output


def tanh_forward(x):
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, out):
    return dout * (1.0 - out * out)


# ---- losses over class scores x (N, C) and integer labels y (N,) ----------------------------

def softmax_loss(x, y):
    """L = mean_i -log softmax(x_i)[y_i]; dL/dx = (softmax(x) - onehot(y)) / N."""
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), y].mean()
    dx = np.exp(log_p)
    dx[np.arange(n), y] -= 1.0
    return float(loss), dx / n


def svm_loss(x, y):
    """L = mean_i sum_{j != y_i} max(0, x_ij - x_iy + 1); the correct class is left out."""
    n = x.shape[0]
    correct = x[np.arange(n), y][:, None]
    margins = np.maximum(0.0, x - correct + 1.0)
    margins[np.arange(n), y] = 0.0
    active = (margins > 0).astype(np.float64)
    dx = active.copy()
    dx[np.arange(n), y] = -active.sum(axis=1)
    return float(margins.sum() / n), dx / n


# ---- normalisation ----------------------------------------------------------------------------

def batchnorm_forward(x, gamma, beta, bn_param):
    """Train mode: normalise each feature over the batch with the biased batch variance;
    ``out`` plus the cache, and ``cache["running"]`` the updated running statistics
    (momentum m: running = m * running + (1 - m) * batch). Test mode uses them."""
    eps, m = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    d = x.shape[1]
    run_mean = bn_param.get("running_mean", np.zeros(d))
    run_var = bn_param.get("running_var", np.zeros(d))
    if bn_param.get("mode", "train") == "test":
        xhat = (x - run_mean) / np.sqrt(run_var + eps)
        return gamma * xhat + beta, {"running": (run_mean, run_var)}
    mu, var = x.mean(axis=0), x.var(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    running = (m * run_mean + (1 - m) * mu, m * run_var + (1 - m) * var)
    return gamma * xhat + beta, {"xhat": xhat, "std": std, "gamma": gamma, "running": running}


def batchnorm_backward(dout, cache):
    """The simplified form: dx = (N dxhat - sum dxhat - xhat sum(dxhat xhat)) / (N std)."""
    xhat, std, gamma = cache["xhat"], cache["std"], cache["gamma"]
    n = dout.shape[0]
    dxhat = dout * gamma
    dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (n * std)
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def layernorm_forward(x, gamma, beta, ln_param):
    """Normalise each row over its features (biased variance), then scale and shift."""
    eps = ln_param.get("eps", 1e-5)
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    return gamma * xhat + beta, (xhat, std, gamma)


def layernorm_backward(dout, cache):
    xhat, std, gamma = cache
    d = dout.shape[1]
    dxhat = dout * gamma
    dx = (d * dxhat - dxhat.sum(axis=1, keepdims=True)
          - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)) / (d * std)
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


# ---- dropout (inverted: the 1/p is applied at train time) ---------------------------------

def dropout_forward(x, dropout_param):
    """``p`` is the keep probability; the mask is ``rand < p`` from a Generator seeded with
    ``seed`` (numpy only, no global state), scaled by 1/p. Test mode is the identity."""
    p = dropout_param["p"]
    if dropout_param.get("mode", "train") == "test":
        return x.copy(), None
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = (rng.random(x.shape) < p) / p
    return x * mask, mask


def dropout_backward(dout, mask):
    return dout.copy() if mask is None else dout * mask


# ---- convolution and pooling over (N, C, H, W) --------------------------------------------

def _windows(x, hh, ww, stride):
    """(N, C, H', W', hh, ww): every window a kernel or pool of hh x ww visits."""
    return sliding_window_view(x, (hh, ww), axis=(2, 3))[:, :, ::stride, ::stride]


def conv_forward(x, w, b, conv_param):
    """Cross-correlation with zero padding: out[n, f] = sum_c,i,j w[f, c, i, j] x_pad[...] + b."""
    s, p = conv_param.get("stride", 1), conv_param.get("pad", 0)
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    cols = _windows(xp, w.shape[2], w.shape[3], s)  # (N, C, H', W', HH, WW)
    out = np.einsum("nchwij,fcij->nfhw", cols, w) + b[None, :, None, None]
    return out, (x, w, s, p)


def conv_backward(dout, cache):
    x, w, s, p = cache
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    hh, ww = w.shape[2], w.shape[3]
    dw = np.einsum("nchwij,nfhw->fcij", _windows(xp, hh, ww, s), dout)
    dxp = np.zeros_like(xp)
    ho, wo = dout.shape[2], dout.shape[3]
    for i in range(hh):  # each kernel offset scatters dout back onto the inputs it read
        for j in range(ww):
            dxp[:, :, i:i + s * ho:s, j:j + s * wo:s] += np.einsum("nfhw,fc->nchw", dout, w[:, :, i, j])
    dx = dxp[:, :, p:p + x.shape[2], p:p + x.shape[3]]  # padding stripped
    return dx, dw, dout.sum(axis=(0, 2, 3))


def _pool_param(pool_param):
    return pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]


def max_pool_forward(x, pool_param):
    ph, pw, s = _pool_param(pool_param)
    win = _windows(x, ph, pw, s)
    flat = win.reshape(*win.shape[:4], ph * pw)
    arg = flat.argmax(axis=-1)  # the first maximum in row-major order on a tie
    return flat.max(axis=-1), (x.shape, arg, ph, pw, s)


def max_pool_backward(dout, cache):
    shape, arg, ph, pw, s = cache
    dx = np.zeros(shape)
    n, c, ho, wo = dout.shape
    i, j = np.divmod(arg, pw)
    rows = np.arange(ho)[None, None, :, None] * s + i
    cols = np.arange(wo)[None, None, None, :] * s + j
    nn, cc = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    np.add.at(dx, (nn[:, :, None, None], cc[:, :, None, None], rows, cols), dout)
    return dx


def avg_pool_forward(x, pool_param):
    ph, pw, s = _pool_param(pool_param)
    return _windows(x, ph, pw, s).mean(axis=(-2, -1)), (x.shape, ph, pw, s)


def avg_pool_backward(dout, cache):
    shape, ph, pw, s = cache
    dx = np.zeros(shape)
    ho, wo = dout.shape[2], dout.shape[3]
    for i in range(ph):
        for j in range(pw):
            dx[:, :, i:i + s * ho:s, j:j + s * wo:s] += dout / (ph * pw)
    return dx


# ---- recurrent step and embedding -----------------------------------------------------------

def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dz = dnext_h * (1.0 - next_h * next_h)
    return dz @ Wx.T, dz @ Wh.T, x.T @ dz, prev_h.T @ dz, dz.sum(axis=0)


def word_embedding_forward(x, W):
    """x: integer indices (N, T) into the rows of W (V, D)."""
    return W[x], (x, W.shape)


def word_embedding_backward(dout, cache):
    x, shape = cache
    dW = np.zeros(shape)
    np.add.at(dW, x, dout)  # a repeated index accumulates
    return dW
