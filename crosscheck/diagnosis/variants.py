"""Broken backprop variants: the reference with ONE part swapped for a documented bug.

Each is a function ``loss_and_grads(params, X, Y, spec) -> (loss, grads)`` like the reference.
Most swap one entry of :class:`reference.network.Parts`; a few wrap the reference where the
bug is structural (it needs X, lr or the biases).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from crosscheck.reference import layers as L
from crosscheck.reference import losses as LS
from crosscheck.reference.network import REFERENCE_PARTS, backprop

__all__ = ["VARIANTS", "DEFAULT_LR", "grads_from_step", "reference_sgd_step", "update_order_step"]

DEFAULT_LR = 0.5  # the learning rate at which update-mode variants are checked


def _with(**parts):
    return replace(REFERENCE_PARTS, **parts)


def _swap_activation(name: str, backward) -> dict:
    acts = dict(REFERENCE_PARTS.activations)
    acts[name] = L.Activation(acts[name].forward, backward)
    return acts


def _swap_loss_grads(transform) -> dict:
    """Every loss keeps its value; its gradient becomes transform(grad, out, Y, name)."""
    out = {}
    for name, loss in REFERENCE_PARTS.losses.items():
        def grad(o, Y, _g=loss.grad, _n=name):
            return transform(_g(o, Y), o, Y, _n)
        out[name] = LS.Loss(loss.value, grad)
    return out


def _variant(parts):
    def loss_and_grads(params, X, Y, spec):
        return backprop(params, X, Y, spec, parts)
    return loss_and_grads


# ---- loss-gradient scaling ------------------------------------------------------------------

sign_flip = _variant(_with(losses=_swap_loss_grads(lambda g, o, Y, n: -g)))
# "error = y - out": the data gradient comes out negated


batch_scale = _variant(_with(losses=_swap_loss_grads(lambda g, o, Y, n: g * o.shape[0])))
# the loss is a mean over the batch, but its gradient is summed (no 1/batch)


def _mse_no_2_over_n(out, Y):
    return out - Y  # the bug: dL/dout of mean((out - Y)^2) is 2 (out - Y) / n


# The same line under whichever squared-error loss is declared: for mse the missing factor is
# 2/n (n = batch x n_out), for half_sse (1/(2 batch) sum (out - Y)^2) it is 1/batch.
mse_missing_2_over_n = _variant(_with(losses={
    **REFERENCE_PARTS.losses,
    **{name: LS.Loss(REFERENCE_PARTS.losses[name].value, _mse_no_2_over_n)
       for name in ("mse", "half_sse")}}))


# ---- affine backward ------------------------------------------------------------------------

bias_mean_vs_sum = _variant(_with(
    affine_backward=lambda dz, a, W: (dz @ W.T, a.T @ dz, dz.mean(axis=0))))

bias_reduce_axis = _variant(_with(
    affine_backward=lambda dz, a, W: (dz @ W.T, a.T @ dz, np.full(dz.shape[1], dz.sum()))))

mean_before_outer = _variant(_with(
    affine_backward=lambda dz, a, W: (dz @ W.T, a.shape[0] * np.outer(a.mean(axis=0), dz.mean(axis=0)),
                                      dz.sum(axis=0))))

transposed_weight = _variant(_with(
    affine_backward=lambda dz, a, W: (dz @ W.T, dz.T @ a, dz.sum(axis=0))))


def hidden_uses_input(params, X, Y, spec):
    """dW_l = X^T dz_l for every layer: the network input instead of the layer's input."""
    parts = _with(affine_backward=lambda dz, a, W: (dz @ W.T, X.T @ dz, dz.sum(axis=0)))
    return backprop(params, X, Y, spec, parts)


# ---- activation derivatives -----------------------------------------------------------------

sigmoid_deriv_input = _variant(_with(activations=_swap_activation(
    "sigmoid", lambda da, z, a: da * z * (1.0 - z))))

tanh_deriv_input = _variant(_with(activations=_swap_activation(
    "tanh", lambda da, z, a: da * (1.0 - z * z))))


def _relu_on_z(da, z, a):
    d = z.copy()
    d[d > 0] = 1.0  # the bug: negative z stays as it is instead of becoming 0
    return da * d


relu_deriv_on_z = _variant(_with(activations=_swap_activation("relu", _relu_on_z)))

relu_tie_convention = _variant(_with(activations=_swap_activation(
    "relu", lambda da, z, a: np.where(z >= 0, da, 0.0))))


def _relu_ratio(da, z, a):
    with np.errstate(invalid="ignore", divide="ignore"):
        return da * (a / z)  # 1 where z > 0, 0 where z < 0, and 0/0 = NaN where z == 0


metric_nan_passes = _variant(_with(activations=_swap_activation("relu", _relu_ratio)))


def _ignore_upstream(acts: dict) -> dict:
    out = dict(acts)
    local = {"sigmoid": lambda z, a: a * (1.0 - a), "tanh": lambda z, a: 1.0 - a * a,
             "relu": lambda z, a: (z > 0).astype(np.float64)}
    for name, deriv in local.items():
        out[name] = L.Activation(acts[name].forward, lambda da, z, a, _d=deriv: _d(z, a))
    return out


upstream_ignored = _variant(_with(activations=_ignore_upstream(REFERENCE_PARTS.activations)))


# ---- losses ---------------------------------------------------------------------------------

def _naive_softmax_ce(z, Y):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)  # no max subtraction
        return float(-(Y * np.log(p)).sum(axis=-1).mean())


def _naive_softmax_ce_grad(z, Y):
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    return (p * Y.sum(axis=-1, keepdims=True) - Y) / z.shape[0]


softmax_unstable = _variant(_with(losses={
    **REFERENCE_PARTS.losses,
    "softmax_cross_entropy": LS.Loss(_naive_softmax_ce, _naive_softmax_ce_grad)}))


def _raw_labels(Y, n_out: int):
    """The class index 1..K of each row, broadcast over the K outputs: what the course's y
    holds before it is recoded one-hot (integer labels 0..K-1 become 1..K the same way)."""
    classes = Y if Y.ndim == 1 else np.argmax(Y, axis=-1)
    return np.broadcast_to((classes + 1.0)[:, None], (Y.shape[0], n_out))


def _raw(loss: LS.Loss) -> LS.Loss:
    return LS.Loss(lambda out, Y: loss.value(out, _raw_labels(Y, out.shape[-1])),
                   lambda out, Y: loss.grad(out, _raw_labels(Y, out.shape[-1])))


loss_raw_labels = _variant(_with(losses={
    **REFERENCE_PARTS.losses,
    "softmax_cross_entropy": _raw(REFERENCE_PARTS.losses["softmax_cross_entropy"]),
    "sigmoid_bce": _raw(REFERENCE_PARTS.losses["sigmoid_bce"])}))


def reg_on_bias(params, X, Y, spec):
    """The L2 penalty also covers the biases: loss + l2/(2N) sum b^2, db + l2/N b."""
    loss, grads = backprop(params, X, Y, spec, REFERENCE_PARTS)
    batch = X.shape[0]
    for layer in range(1, spec.depth + 1):
        b = params[f"b{layer}"]
        loss += spec.l2 / (2.0 * batch) * float(np.sum(b * b))
        grads[f"b{layer}"] = grads[f"b{layer}"] + spec.l2 / batch * b
    return float(loss), grads


def inplace_dout(params, X, Y, spec):
    """A loss layer that keeps its residual ``diff = out - Y``, hands that same buffer down as
    the upstream gradient, and reads the loss from it afterwards; the ReLU backward zeroes the
    buffer in place (``dout[mask] = 0``), so the loss read afterwards is wrong."""
    if spec.loss != "mse":
        return backprop(params, X, Y, spec, REFERENCE_PARTS)
    n = Y.size
    holder = {}

    def value(out, Y_):
        holder["diff"] = out - Y_
        return 0.0  # computed lazily, below, from the residual buffer

    def grad(out, Y_):
        diff = holder["diff"]
        diff *= 2.0 / n  # the buffer becomes the upstream gradient
        return diff

    def relu_backward_inplace(da, z, a):
        da[z <= 0] = 0.0  # the bug: writes into the caller's upstream gradient
        return da

    parts = _with(losses={**REFERENCE_PARTS.losses, "mse": LS.Loss(value, grad)},
                  activations=_swap_activation("relu", relu_backward_inplace))
    data_and_l2, grads = backprop(params, X, Y, spec, parts)
    loss = data_and_l2 + float(np.mean((holder["diff"] * (n / 2.0)) ** 2))
    return float(loss), grads


# ---- update mode ----------------------------------------------------------------------------

def reference_sgd_step(params, X, Y, spec, lr):
    """One correct plain SGD step: W - lr * dL/dW with the gradient at the *old* weights."""
    _, grads = backprop(params, X, Y, spec, REFERENCE_PARTS)
    return {k: params[k] - lr * grads[k] for k in params}


def update_order_step(params, X, Y, spec, lr):
    """SGD step that updates W_l *before* using it to pass the gradient down to layer l-1."""
    batch = X.shape[0]

    def affine_backward(dz, a, W):
        dW = a.T @ dz + REFERENCE_PARTS.l2_grad(W, spec.l2, batch)
        W_new = W - lr * dW  # the bug: the updated weight is used below
        return dz @ W_new.T, a.T @ dz, dz.sum(axis=0)

    _, grads = backprop(params, X, Y, spec, _with(affine_backward=affine_backward))
    return {k: params[k] - lr * grads[k] for k in params}


def grads_from_step(sgd_step, lr: float = DEFAULT_LR):
    """A ``loss_and_grads`` that infers the gradient from one step: (before - after) / lr.
    The loss is the reference's (an SGD step reports none)."""
    def loss_and_grads(params, X, Y, spec):
        new = sgd_step(params, X, Y, spec, lr)
        loss, _ = backprop(params, X, Y, spec, REFERENCE_PARTS)
        return loss, {k: (params[k] - new[k]) / lr for k in spec.param_names()}
    return loss_and_grads


VARIANTS = {
    "sign-flip": sign_flip,
    "batch-scale": batch_scale,
    "mse-missing-2-over-n": mse_missing_2_over_n,
    "bias-mean-vs-sum": bias_mean_vs_sum,
    "bias-reduce-axis": bias_reduce_axis,
    "mean-before-outer": mean_before_outer,
    "transposed-weight": transposed_weight,
    "hidden-uses-input": hidden_uses_input,
    "sigmoid-deriv-input": sigmoid_deriv_input,
    "tanh-deriv-input": tanh_deriv_input,
    "relu-deriv-on-z": relu_deriv_on_z,
    "relu-tie-convention": relu_tie_convention,
    "metric-nan-passes": metric_nan_passes,
    "upstream-ignored": upstream_ignored,
    "softmax-unstable": softmax_unstable,
    "loss-raw-labels": loss_raw_labels,
    "reg-on-bias": reg_on_bias,
    "inplace-dout": inplace_dout,
    "update-order": grads_from_step(update_order_step),
}
