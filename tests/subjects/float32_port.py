"""Correct, in float32 (``--dtype float32``): the batched backprop of ``mlp_parts.py`` ported to
single precision, as a GPU-minded implementation computes it. Every array it receives is
float32 (class labels stay integers), every array it returns is float32, and no operation
upcasts: Python scalars mixed with float32 arrays stay float32.

Every loss of the contract: mse, half_sse, softmax cross-entropy (one-hot or soft rows, or
integer class labels) and sigmoid BCE. ``loss_and_grads_bias_mean`` is the same port with
one catalogued bug: the bias gradient averaged over the batch (bias-mean-vs-sum).
"""

import numpy as np

F32 = np.float32


def _sigmoid(z):
    return F32(0.5) * (F32(1) + np.tanh(F32(0.5) * z))  # no overflow for any z


ACT = {  # name: (activation, derivative from the pre-activation z and the output a)
    "identity": (lambda z: z, lambda z, a: np.ones_like(z)),
    "sigmoid": (_sigmoid, lambda z, a: a * (F32(1) - a)),
    "tanh": (np.tanh, lambda z, a: F32(1) - a * a),
    "relu": (lambda z: np.maximum(z, F32(0)), lambda z, a: (z > 0).astype(F32)),
}


def _rows(Y, n_out):
    """Integer class labels (batch,) as float32 one-hot rows; rows as they are."""
    if Y.ndim == 1:
        return np.eye(n_out, dtype=F32)[Y]
    return Y


def _log_softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def _loss(out, Y, spec, params):
    n = out.shape[0]
    if spec.loss == "mse":
        data = np.mean((out - Y) ** 2)
    elif spec.loss == "half_sse":
        data = np.sum((out - Y) ** 2) / F32(2 * n)
    elif spec.loss == "softmax_cross_entropy":
        data = -np.sum(Y * _log_softmax(out)) / F32(n)
    else:
        data = np.sum(np.logaddexp(F32(0), out) - Y * out) / F32(n)
    penalty = sum(np.sum(params[f"W{i}"] ** 2) for i in range(1, spec.depth + 1))
    return data + F32(spec.l2 / (2 * n)) * penalty


def _output_delta(out, z, Y, spec):
    """dL/dz of the last layer."""
    n = out.shape[0]
    if spec.loss == "mse":
        return F32(2 / Y.size) * (out - Y) * ACT[spec.activations[-1]][1](z, out)
    if spec.loss == "half_sse":
        return (out - Y) / F32(n) * ACT[spec.activations[-1]][1](z, out)
    if spec.loss == "softmax_cross_entropy":
        p = np.exp(_log_softmax(z))
        return (p * Y.sum(axis=1, keepdims=True) - Y) / F32(n)
    return (_sigmoid(z) - Y) / F32(n)


def _backprop(params, X, Y, spec, bias_grad):
    n = X.shape[0]
    Y = _rows(Y, spec.sizes[-1])
    acts, zs = [X], []
    for i in range(1, spec.depth + 1):
        zs.append(acts[-1] @ params[f"W{i}"] + params[f"b{i}"])
        acts.append(ACT[spec.activations[i - 1]][0](zs[-1]))
    loss = _loss(acts[-1], Y, spec, params)
    delta = _output_delta(acts[-1], zs[-1], Y, spec)
    grads = {}
    for i in range(spec.depth, 0, -1):
        grads[f"W{i}"] = acts[i - 1].T @ delta + F32(spec.l2 / n) * params[f"W{i}"]
        grads[f"b{i}"] = bias_grad(delta)
        if i > 1:
            delta = (delta @ params[f"W{i}"].T) * ACT[spec.activations[i - 2]][1](zs[i - 2],
                                                                              acts[i - 1])
    return loss, grads


def loss_and_grads(params, X, Y, spec):
    return _backprop(params, X, Y, spec, lambda delta: delta.sum(axis=0))


def loss_and_grads_bias_mean(params, X, Y, spec):
    return _backprop(params, X, Y, spec, lambda delta: delta.mean(axis=0))  # the bug
