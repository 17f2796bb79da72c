"""Broken backprop variants: the reference with ONE part swapped for a documented bug.

Each is a function ``loss_and_grads(params, X, Y, spec) -> (loss, grads)`` like the reference.
Most swap one entry of :class:`reference.network.Parts`; a few wrap the reference where the
bug is structural (it needs X, lr or the biases).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from crosscheck.reference import layers as L
from crosscheck.reference import losses as LS
from crosscheck.reference.network import REFERENCE_PARTS, backprop
from crosscheck.reference.ops import ACTIVATION_OPS
from crosscheck.reference.spec import LOGIT_LOSSES

__all__ = ["DEFAULT_LR", "FORMS", "L2_GRAD_FACTORS", "Patch", "VARIANTS", "grads_from_step", "patched",
           "reference_sgd_step", "update_order_step"]

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


@dataclass(frozen=True)
class Patch:
    """One swapped part of the reference. ``touches`` names what it replaces (``act:sigmoid``,
    ``loss:mse``, ``affine``), so that two patches that touch different parts compose;
    ``apply(parts, X)`` returns the Parts with it swapped in (X for the bugs that reach for the
    network input)."""

    touches: frozenset
    apply: Callable
    # where the form differs from the others of its bug (None: everywhere its bug applies)
    applies: Callable | None = None
    with_spec: bool = False  # ``apply(parts, X, spec)``: the form depends on the layer
    says: str = ""  # the form in words, where it is not the bug's plain form


def act_patch(name: str, backward) -> Patch:
    return Patch(frozenset({f"act:{name}"}), lambda parts, X: replace(parts, activations={
        **parts.activations, name: L.Activation(parts.activations[name].forward, backward)}))


def loss_patch(name: str, loss: LS.Loss) -> Patch:
    return Patch(frozenset({f"loss:{name}"}),
                 lambda parts, X: replace(parts, losses={**parts.losses, name: loss}))


def affine_patch(backward_of_x) -> Patch:
    """``backward_of_x(X)`` returns the affine backward ``(dz, a, W) -> (da, dW, db)``."""
    return Patch(frozenset({"affine"}), lambda parts, X: replace(parts, affine_backward=backward_of_x(X)))


def hidden_only(patch: Patch, name: str) -> Patch:
    """``patch`` (of activation ``name``) in the hidden layers only: the output layer keeps
    the reference's derivative, as code that writes the output delta apart from the loop over
    the hidden layers does. It differs from ``patch`` only where the output is ``name`` too."""
    def apply(parts, X):
        kept = {**parts.output_activations, name: parts.activations[name]}
        return replace(patch.apply(parts, X), output_activations=kept)
    return Patch(patch.touches, apply, lambda spec: spec.activations[-1] == name and spec.depth > 1,
                 says=", ".join(filter(None, (patch.says, "in the hidden layers only (the output "
                                                            "layer's derivative is right)"))))


def patched(*patches: Patch):
    """``loss_and_grads`` of the reference with ``patches`` swapped in (touching different parts)."""
    def loss_and_grads(params, X, Y, spec):
        parts = REFERENCE_PARTS
        for patch in patches:
            parts = patch.apply(parts, X, spec) if patch.with_spec else patch.apply(parts, X)
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

BIAS_REDUCE_AXIS = affine_patch(lambda X: lambda dz, a, W: (dz @ W.T, a.T @ dz,
                                                             np.full(dz.shape[1], dz.sum())))
MEAN_BEFORE_OUTER = affine_patch(lambda X: lambda dz, a, W: (
    dz @ W.T, a.shape[0] * np.outer(a.mean(axis=0), dz.mean(axis=0)), dz.sum(axis=0)))
TRANSPOSED_WEIGHT = affine_patch(lambda X: lambda dz, a, W: (dz @ W.T, dz.T @ a, dz.sum(axis=0)))
# dW_l = X^T dz_l for every layer: the network input instead of the layer's input
HIDDEN_USES_INPUT = affine_patch(lambda X: lambda dz, a, W: (dz @ W.T, X.T @ dz, dz.sum(axis=0)))

bias_reduce_axis = patched(BIAS_REDUCE_AXIS)
mean_before_outer = patched(MEAN_BEFORE_OUTER)
transposed_weight = patched(TRANSPOSED_WEIGHT)
hidden_uses_input = patched(HIDDEN_USES_INPUT)


def _input_at_layer_2(X, spec):
    """The affine backward with dW_2 = X^T dz_2 alone: the first layer's line copied to the
    second, where the widths let it run; every other layer right."""
    layers = iter(range(spec.depth, 0, -1))  # backprop calls it from the top layer down

    def backward(dz, a, W):
        used = X if next(layers) == 2 else a
        return dz @ W.T, used.T @ dz, dz.sum(axis=0)
    return backward


HIDDEN_USES_INPUT_LAYER_2 = Patch(
    frozenset({"affine"}),
    lambda parts, X, spec: replace(parts, affine_backward=_input_at_layer_2(X, spec)),
    applies=lambda spec: spec.depth >= 3, with_spec=True,  # at depth 2 the same as every layer
    says="in the second layer only (dW2 = X.T @ dz2)")


# ---- activation derivatives -----------------------------------------------------------------

SIGMOID_DERIV_OF_Z = act_patch("sigmoid", lambda da, z, a: da * z * (1.0 - z))
TANH_DERIV_OF_Z = act_patch("tanh", lambda da, z, a: da * (1.0 - z * z))
sigmoid_deriv_input = patched(SIGMOID_DERIV_OF_Z)
tanh_deriv_input = patched(TANH_DERIV_OF_Z)


def _relu_on_z(da, z, a):
    d = z.copy()
    d[d > 0] = 1.0  # the bug: negative z stays as it is instead of becoming 0
    return da * d


RELU_DERIV_ON_Z = act_patch("relu", _relu_on_z)
RELU_TIE = act_patch("relu", lambda da, z, a: np.where(z >= 0, da, 0.0))
relu_deriv_on_z = patched(RELU_DERIV_ON_Z)
relu_tie_convention = patched(RELU_TIE)


def _relu_ratio(da, z, a):
    with np.errstate(invalid="ignore", divide="ignore"):
        return da * (a / z)  # 1 where z > 0, 0 where z < 0, and 0/0 = NaN where z == 0


RELU_RATIO = act_patch("relu", _relu_ratio)
metric_nan_passes = patched(RELU_RATIO)


# each nonlinear activation's backward returns its local derivative alone, whatever da says
# (the record's backward of an upstream gradient of ones)
UPSTREAM_IGNORED = tuple(
    act_patch(name, lambda da, z, a, _b=op.backward: _b(np.ones_like(z), z, a))
    for name, op in ACTIVATION_OPS.items() if name != "identity")
upstream_ignored = patched(*UPSTREAM_IGNORED)


# ---- losses ---------------------------------------------------------------------------------

def _naive_softmax_ce(z, Y):
    Y = LS.as_rows(Y, z.shape[-1])  # class labels as one-hot rows
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)  # no max subtraction
        return float(-(Y * np.log(p)).sum(axis=-1).mean())


def _naive_softmax_ce_grad(z, Y):
    Y = LS.as_rows(Y, z.shape[-1])
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    return (p * Y.sum(axis=-1, keepdims=True) - Y) / z.shape[0]


SOFTMAX_UNSTABLE = loss_patch("softmax_cross_entropy", LS.Loss(_naive_softmax_ce, _naive_softmax_ce_grad))
softmax_unstable = patched(SOFTMAX_UNSTABLE)


def _raw_labels(Y, n_out: int):
    """The class index 1..K of each row, broadcast over the K outputs: what the course's y
    holds before it is recoded one-hot (integer labels 0..K-1 become 1..K the same way)."""
    classes = Y if Y.ndim == 1 else np.argmax(Y, axis=-1)
    return np.broadcast_to((classes + 1.0)[:, None], (Y.shape[0], n_out))


def _raw(loss: LS.Loss) -> LS.Loss:
    return LS.Loss(lambda out, Y: loss.value(out, _raw_labels(Y, out.shape[-1])),
                   lambda out, Y: loss.grad(out, _raw_labels(Y, out.shape[-1])))


LOSS_RAW_LABELS = tuple(loss_patch(name, _raw(REFERENCE_PARTS.losses[name]))
                        for name in LOGIT_LOSSES)
loss_raw_labels = patched(*LOSS_RAW_LABELS)


def reg_on_bias(params, X, Y, spec):
    """The L2 penalty also covers the biases: loss + l2/(2N) sum b^2, db + l2/N b."""
    loss, grads = backprop(params, X, Y, spec, REFERENCE_PARTS)
    divisor = spec.l2_divisor(X.shape[0])  # the spec's L2 convention
    for layer in range(1, spec.depth + 1):
        b = params[f"b{layer}"]
        loss += spec.l2 / (2.0 * divisor) * float(np.sum(b * b))
        grads[f"b{layer}"] = grads[f"b{layer}"] + spec.l2 / divisor * b
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


# ---- grown from real learners' code ---------------------------------------------------------

def loss_log_epsilon_patches(eps: float) -> tuple[Patch, ...]:
    """Losses whose log gets ``+ eps`` (``np.log(p + 1e-7)``): the value moves a little, the
    gradient (written analytically, p - Y) does not."""
    def ce(z, Y):
        Y = LS.as_rows(Y, z.shape[-1])  # class labels as one-hot rows
        return float(-(Y * np.log(LS.softmax(z) + eps)).sum(axis=-1).mean())

    def bce(z, Y):
        s = L.sigmoid(z)
        return float(-(Y * np.log(s + eps) + (1.0 - Y) * np.log(1.0 - s + eps)).sum(axis=-1).mean())

    base = REFERENCE_PARTS.losses
    return (loss_patch("softmax_cross_entropy", LS.Loss(ce, base["softmax_cross_entropy"].grad)),
            loss_patch("sigmoid_bce", LS.Loss(bce, base["sigmoid_bce"].grad)))


LOSS_LOG_EPSILON = loss_log_epsilon_patches(1e-7)
loss_log_epsilon = patched(*LOSS_LOG_EPSILON)


def _hard(Y):
    """Soft targets reduced to the one-hot of their argmax (class labels are hard already)."""
    return Y if Y.ndim == 1 else np.eye(Y.shape[-1])[np.argmax(Y, axis=-1)]


_CE = REFERENCE_PARTS.losses["softmax_cross_entropy"]
SOFT_TARGETS_ARGMAX = loss_patch("softmax_cross_entropy", LS.Loss(
    lambda z, Y: _CE.value(z, _hard(Y)), lambda z, Y: _CE.grad(z, _hard(Y))))
soft_targets_argmax = patched(SOFT_TARGETS_ARGMAX)


def param_never_updated(params, X, Y, spec):
    """The biases are never updated: their gradient (the step) is zero."""
    loss, grads = backprop(params, X, Y, spec, REFERENCE_PARTS)
    return loss, {k: (np.zeros_like(g) if k.startswith("b") else g) for k, g in grads.items()}


def _naive_bce(z, Y):
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        s = 1.0 / (1.0 + np.exp(-z))
        return float(-(Y * np.log(s) + (1.0 - Y) * np.log(1.0 - s)).sum(axis=-1).mean())


LOSS_OVERFLOW = loss_patch("sigmoid_bce", LS.Loss(_naive_bce, REFERENCE_PARTS.losses["sigmoid_bce"].grad))
loss_overflow = patched(LOSS_OVERFLOW)
BIAS_ROW_BROADCAST = affine_patch(lambda X: lambda dz, a, W: (dz @ W.T, a.T @ dz,
                                                               dz.sum(axis=0, keepdims=True)))
bias_row_broadcast = patched(BIAS_ROW_BROADCAST)


def stray_constant_factor(params, X, Y, spec):
    """A constant planted on one tensor, as gradient-checking exercises do: dW1 x 2."""
    loss, grads = backprop(params, X, Y, spec, REFERENCE_PARTS)
    penalty = REFERENCE_PARTS.l2_grad(params["W1"], spec.l2, spec.l2_divisor(X.shape[0]))
    return loss, {**grads, "W1": 2.0 * (grads["W1"] - penalty) + penalty}


def _half_sse(out, Y):
    return float(np.sum((out - Y) ** 2) / (2.0 * out.shape[0]))


half_sse_vs_mse = _variant(_with(losses={
    **REFERENCE_PARTS.losses,
    "mse": LS.Loss(_half_sse, lambda out, Y: (out - Y) / out.shape[0])}))


def _first_layer_mean_row(X):
    """The first layer's step from the batch-mean input row: dW1 = outer(mean(X), sum(dz))."""
    def affine_backward(dz, a, W):
        if a is X:  # the first layer's input
            return dz @ W.T, np.outer(a.mean(axis=0), dz.sum(axis=0)), dz.sum(axis=0)
        return L.affine_backward(dz, a, W)
    return affine_backward


BATCH_MEAN_INPUT_ROW = affine_patch(_first_layer_mean_row)
batch_mean_input_row = patched(BATCH_MEAN_INPUT_ROW)


# ---- the L2 term: in the loss, but its gradient missing, halved or doubled ------------------

def _l2_grad_times(factor: float):
    """The reference with the L2 term of every weight gradient ``factor`` x l2/batch x W (the
    penalty in the loss stays l2/(2 batch) sum W^2)."""
    return _variant(_with(l2_grad=lambda W, lam, batch: factor * LS.l2_grad(W, lam, batch)))


# L2_GRAD_FACTORS: each L2 bug as the factor its gradient puts on the L2 term l2/batch x W
L2_GRAD_FACTORS = {"l2-grad-missing": 0.0, "l2-grad-halved": 0.5, "l2-grad-doubled": 2.0}
l2_grad_missing = _l2_grad_times(L2_GRAD_FACTORS["l2-grad-missing"])
# d/dW of l2/(2 batch) W^2 written without the 2 that the square brings down
l2_grad_halved = _l2_grad_times(L2_GRAD_FACTORS["l2-grad-halved"])
# the 1/2 of the penalty forgotten in its derivative (or weight decay applied on top of it)
l2_grad_doubled = _l2_grad_times(L2_GRAD_FACTORS["l2-grad-doubled"])


# ---- other forms of the same bugs, as learners write them (replayed by the diagnosis) -------

# sigma'(a): a helper that expects z is handed the activation
SIGMOID_DERIV_OF_A = replace(
    act_patch("sigmoid", lambda da, z, a: da * L.sigmoid(a) * (1.0 - L.sigmoid(a))),
    says="sigma' (a formula in z) fed the activation a = sigma(z): sigma'(sigma(z))")
TANH_DERIV_OF_A = replace(act_patch("tanh", lambda da, z, a: da * (1.0 - np.tanh(a) ** 2)),
                          says="tanh' (a formula in z) fed the activation a = tanh(z): "
                               "1 - tanh(tanh(z))^2")
# db = dz: no reduction over the batch at all
BIAS_UNREDUCED = affine_patch(lambda X: lambda dz, a, W: (dz @ W.T, a.T @ dz, dz.copy()))
# db = dz.sum(axis=1): summed over the units, one value per example
BIAS_WRONG_AXIS = affine_patch(lambda X: lambda dz, a, W: (dz @ W.T, a.T @ dz, dz.sum(axis=1)))


# ---- update mode ----------------------------------------------------------------------------

def reference_sgd_step(params, X, Y, spec, lr):
    """One correct plain SGD step: W - lr * dL/dW with the gradient at the *old* weights."""
    _, grads = backprop(params, X, Y, spec, REFERENCE_PARTS)
    return {k: params[k] - lr * grads[k] for k in params}


def update_order_step(params, X, Y, spec, lr):
    """SGD step that updates W_l *before* using it to pass the gradient down to layer l-1."""
    divisor = spec.l2_divisor(X.shape[0])  # the spec's L2 convention

    def affine_backward(dz, a, W):
        dW = a.T @ dz + REFERENCE_PARTS.l2_grad(W, spec.l2, divisor)
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
    "loss-log-epsilon": loss_log_epsilon,
    "soft-targets-argmax": soft_targets_argmax,
    "param-never-updated": param_never_updated,
    "loss-overflow": loss_overflow,
    "bias-row-broadcast": bias_row_broadcast,
    "stray-constant-factor": stray_constant_factor,
    "half-sse-vs-mse": half_sse_vs_mse,
    "batch-mean-input-row": batch_mean_input_row,
    "l2-grad-missing": l2_grad_missing,
    "l2-grad-halved": l2_grad_halved,
    "l2-grad-doubled": l2_grad_doubled,
}

# The structural bugs as the forms learners write them: each form is the patches that make
# it. The diagnosis replays every form, alone or composed with one form of another bug.
FORMS: dict[str, tuple[tuple[Patch, ...], ...]] = {
    "sigmoid-deriv-input": ((SIGMOID_DERIV_OF_Z,), (SIGMOID_DERIV_OF_A,),
                            (hidden_only(SIGMOID_DERIV_OF_Z, "sigmoid"),),
                            (hidden_only(SIGMOID_DERIV_OF_A, "sigmoid"),)),
    "tanh-deriv-input": ((TANH_DERIV_OF_Z,), (TANH_DERIV_OF_A,),
                         (hidden_only(TANH_DERIV_OF_Z, "tanh"),),
                         (hidden_only(TANH_DERIV_OF_A, "tanh"),)),
    "relu-deriv-on-z": ((RELU_DERIV_ON_Z,),),
    "relu-tie-convention": ((RELU_TIE,),),
    "metric-nan-passes": ((RELU_RATIO,),),
    "upstream-ignored": (UPSTREAM_IGNORED,),
    "bias-reduce-axis": ((BIAS_REDUCE_AXIS,), (BIAS_UNREDUCED,), (BIAS_WRONG_AXIS,)),
    "mean-before-outer": ((MEAN_BEFORE_OUTER,),),
    "transposed-weight": ((TRANSPOSED_WEIGHT,),),
    "hidden-uses-input": ((HIDDEN_USES_INPUT,), (HIDDEN_USES_INPUT_LAYER_2,)),
    "bias-row-broadcast": ((BIAS_ROW_BROADCAST,),),
    "batch-mean-input-row": ((BATCH_MEAN_INPUT_ROW,),),
    "softmax-unstable": ((SOFTMAX_UNSTABLE,),),
    "loss-raw-labels": (LOSS_RAW_LABELS,),
    "soft-targets-argmax": ((SOFT_TARGETS_ARGMAX,),),
    "loss-overflow": ((LOSS_OVERFLOW,),),
    "loss-log-epsilon": tuple(loss_log_epsilon_patches(e) for e in
                              (1e-7, 1e-4, 1e-5, 1e-6, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15, 1e-16)),
}
