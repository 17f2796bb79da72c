"""One record per MLP operation: every activation and every loss, declared once.

The shape of PyTorch's OpInfo (torch/testing/_internal/opinfo/core.py), small. A record holds
what every part of the tool needs to know about one operation, and every part reads it from
here: the reference's forward and hand-written backward (reference/network.py), a separately
written numerical forward for the finite-difference and complex-step oracles (oracles/fd.py),
the torch and TensorFlow ops (oracles/torch_oracle.py, oracles/tf_oracle.py; the records
receive the framework module, so nothing here imports one), where the derivative jumps
(fd's kink masks, the diagnosis), whether complex step applies, how a reproduction script
writes the op (reports/repro.py), and whether random networks draw it when none is named
(reference/spec.py derives ``ACTIVATIONS``, ``DEFAULT_ACTIVATIONS``, ``LOSSES`` and friends).

The numerical forwards are written apart from the reference's on purpose: the oracles are
worth something only while they share no code with what they check.

A new activation is one :class:`ActivationOp` in ``ACTIVATION_OPS`` plus its tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["ACTIVATION_OPS", "ELU_ALPHA", "GELU_C", "LEAKY_SLOPE", "LOSS_OPS", "ActivationOp",
           "LossOp", "as_rows", "log_softmax", "sigmoid", "softmax"]


@dataclass(frozen=True)
class ActivationOp:
    """An elementwise activation ``a = f(z)``.

    ``forward(z) -> a`` and ``backward(da, z, a) -> dz`` are the reference (backward returns a
    new array, never writes into ``da``); ``numeric(z) -> a`` is the oracles' own forward,
    complex-safe when ``analytic``; ``torch_op(torch, z)`` and ``tf_op(tf, z)`` apply the
    framework's op; ``repro`` is the torch expression of ``z`` a reproduction script writes.
    ``kinks`` are the points where f' is discontinuous (a central difference whose two sides
    straddle one measures a chord, not the derivative); ``analytic`` says that complex step
    applies (f is analytic on the real line); ``default`` that random networks draw it when
    no activation is named (new activations are not, so a seed keeps its networks).
    """

    name: str
    forward: Callable
    backward: Callable
    numeric: Callable
    torch_op: Callable
    tf_op: Callable
    repro: str
    kinks: tuple[float, ...] = ()
    analytic: bool = True
    default: bool = False

    def crossed(self, z_new: np.ndarray, z_old: np.ndarray) -> np.ndarray:
        """True where ``z_new`` and ``z_old`` lie on different sides of a kink (a point at a
        kink counts with the left side, as the derivative there does)."""
        out = np.zeros(np.broadcast_shapes(np.shape(z_new), np.shape(z_old)), dtype=bool)
        for k in self.kinks:
            out |= (z_new > k) != (z_old > k)
        return out

    def near_kink(self, z: np.ndarray, width: float) -> np.ndarray:
        """True where ``z`` is within ``width`` of a kink."""
        out = np.zeros(np.shape(z), dtype=bool)
        for k in self.kinks:
            out |= np.abs(z - k) < width
        return out


@dataclass(frozen=True)
class LossOp:
    """A loss on the network output ``out`` (batch, n_out) and targets ``Y``.

    ``value(out, Y) -> float`` and ``grad(out, Y) -> dL/dout`` are the reference;
    ``numeric(out, Y, shift) -> (...)`` is the oracles' own, for ``out`` of shape
    (..., batch, n_out) with a leading axis of perturbations and ``Y`` rows (``shift``, the
    unperturbed row max of the output, is the softmax stabiliser: perturbed logits stay within
    O(h) of the unperturbed ones); ``torch_op(torch, out, y)`` and ``tf_op(tf, out, y)`` are
    the frameworks' (y is int64 class indices for a ``labels`` loss given labels, else rows);
    ``repro`` is the torch expression of ``a`` and ``y`` a reproduction script writes.
    ``logits``: the loss squashes raw logits itself, so the last activation is identity;
    ``labels``: Y may be integer class indices (batch,); ``default``: drawn when no loss is
    named.
    """

    name: str
    value: Callable
    grad: Callable
    numeric: Callable
    torch_op: Callable
    tf_op: Callable
    repro: str
    logits: bool = False
    labels: bool = False
    default: bool = False


# ---- shared helpers -------------------------------------------------------------------------

def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + exp(-z)), computed as (1 + tanh(z/2)) / 2: no overflow for any z."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _softplus_numeric(z):
    """log(1 + e^z) for the oracles, finite for any z; complex-safe (for the complex-step
    oracle): for Re z > 0 it uses the identity log(1 + e^z) = z + log(1 + e^-z), so exp never
    overflows."""
    if not np.iscomplexobj(z):
        return np.logaddexp(0.0, z)
    pos = z.real > 0
    return np.where(pos, z, 0.0) + np.log1p(np.exp(np.where(pos, -z, z)))


def _sigmoid_numeric(z):
    return np.exp(-_softplus_numeric(-z))


# ---- activations ----------------------------------------------------------------------------

def _identity_forward(z):
    return z


def _identity_backward(da, z, a):
    return da


def _sigmoid_backward(da, z, a):
    # sigma'(z) = sigma(z) * (1 - sigma(z)) = a * (1 - a): use the *output* a, never z.
    return da * a * (1.0 - a)


def _tanh_backward(da, z, a):
    # tanh'(z) = 1 - tanh(z)^2 = 1 - a^2: again the output a.
    return da * (1.0 - a * a)


def _relu_forward(z):
    return np.maximum(z, 0.0)


def _relu_backward(da, z, a):
    # relu'(z) = 1 where z > 0, else 0 (0 at the tie z == 0, as torch and tf do).
    # A new array: never `da[z <= 0] = 0`, which would overwrite the caller's gradient.
    return np.where(z > 0, da, 0.0)


def _softplus_forward(z):
    # log(1 + e^z) = max(z, 0) + log(1 + e^-|z|): exp never overflows
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _softplus_backward(da, z, a):
    # softplus'(z) = e^z / (1 + e^z) = sigma(z)
    return da * sigmoid(z)


LEAKY_SLOPE = 0.01  # torch's and tensorflow's default negative slope


def _leaky_relu_forward(z):
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_relu_backward(da, z, a):
    # 1 where z > 0, else the slope (the slope at the tie z == 0, as torch and tf do)
    return np.where(z > 0, da, LEAKY_SLOPE * da)


ELU_ALPHA = 1.0  # torch's and tensorflow's default


def _elu_forward(z):
    return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def _elu_backward(da, z, a):
    # elu'(z) = 1 where z > 0, else alpha e^z = a + alpha (the output again); with alpha = 1
    # both sides give 1 at 0: the derivative is continuous, only the second one jumps
    return np.where(z > 0, da, da * (a + ELU_ALPHA))


# GELU in its tanh form, 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))): numpy has no erf for
# the exact z Phi(z) (from which it differs by at most 4.7e-4), and the tanh form is what torch
# computes with approximate="tanh" and tensorflow with approximate=True (GPT-2's GELU).
GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715


def _gelu_forward(z):
    return 0.5 * z * (1.0 + np.tanh(GELU_C * (z + _GELU_K * z ** 3)))


def _gelu_backward(da, z, a):
    # with t = tanh(u), u = c (z + k z^3): gelu' = (1 + t) / 2 + z (1 - t^2) c (1 + 3 k z^2) / 2
    t = np.tanh(GELU_C * (z + _GELU_K * z ** 3))
    return da * (0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * _GELU_K * z * z))


def _gelu_numeric(z):
    # (1 + tanh(u)) / 2 = sigmoid(2u): z sigmoid(2u), complex-safe through the oracles' sigmoid
    return z * _sigmoid_numeric(2.0 * GELU_C * (z + _GELU_K * z ** 3))


_ACTIVATIONS = (
    ActivationOp(
        name="identity",
        forward=_identity_forward, backward=_identity_backward,
        numeric=lambda z: z,
        torch_op=lambda torch, z: z, tf_op=lambda tf, z: tf.identity(z),
        repro="z", default=True),
    ActivationOp(
        name="sigmoid",
        forward=sigmoid, backward=_sigmoid_backward,
        numeric=_sigmoid_numeric,
        torch_op=lambda torch, z: torch.sigmoid(z), tf_op=lambda tf, z: tf.sigmoid(z),
        repro="torch.sigmoid(z)", default=True),
    ActivationOp(
        name="tanh",
        forward=np.tanh, backward=_tanh_backward,
        numeric=lambda z: np.tanh(z),
        torch_op=lambda torch, z: torch.tanh(z), tf_op=lambda tf, z: tf.tanh(z),
        repro="torch.tanh(z)", default=True),
    ActivationOp(
        name="relu",
        forward=_relu_forward, backward=_relu_backward,
        numeric=lambda z: np.maximum(z, 0.0),
        torch_op=lambda torch, z: torch.relu(z), tf_op=lambda tf, z: tf.nn.relu(z),
        repro="torch.relu(z)", kinks=(0.0,), analytic=False, default=True),
    ActivationOp(
        name="softplus",
        forward=_softplus_forward, backward=_softplus_backward,
        numeric=_softplus_numeric,
        # torch's default threshold (20) returns z above it, which moves the derivative by
        # e^-20 ~ 2e-9, past the autodiff tolerance; above 37, e^-z is below float64 rounding
        torch_op=lambda torch, z: torch.nn.functional.softplus(z, threshold=37.0),
        tf_op=lambda tf, z: tf.nn.softplus(z),
        repro="torch.nn.functional.softplus(z, threshold=37.0)"),
    ActivationOp(
        name="leaky_relu",
        forward=_leaky_relu_forward, backward=_leaky_relu_backward,
        numeric=lambda z: np.maximum(z, LEAKY_SLOPE * z),  # slope < 1
        torch_op=lambda torch, z: torch.nn.functional.leaky_relu(z, LEAKY_SLOPE),
        # tf.nn.leaky_relu holds alpha in a float32 attribute (0.01 becomes 0.0099999998), 2e-8
        # off, past the autodiff tolerance: the same function from float64 tf ops instead
        tf_op=lambda tf, z: tf.where(z > 0, z, LEAKY_SLOPE * z),
        repro=f"torch.nn.functional.leaky_relu(z, {LEAKY_SLOPE!r})",
        kinks=(0.0,), analytic=False),
    ActivationOp(
        # piecewise: not analytic at 0 (complex step sits it out), but with alpha = 1 its
        # derivative is continuous, so a difference across 0 is no chord: no kink
        name="elu",
        forward=_elu_forward, backward=_elu_backward,
        numeric=lambda z: np.maximum(z, 0.0) + ELU_ALPHA * np.expm1(np.minimum(z, 0.0)),
        torch_op=lambda torch, z: torch.nn.functional.elu(z, alpha=ELU_ALPHA),
        tf_op=lambda tf, z: tf.nn.elu(z),  # alpha 1: tf.nn.elu has no other
        repro=f"torch.nn.functional.elu(z, alpha={ELU_ALPHA!r})", analytic=False),
    ActivationOp(
        name="gelu",
        forward=_gelu_forward, backward=_gelu_backward,
        numeric=_gelu_numeric,
        torch_op=lambda torch, z: torch.nn.functional.gelu(z, approximate="tanh"),
        # tf.nn.gelu(z, approximate=True) is this function, but tensorflow 2.21 runs it in a
        # kernel that is 1.7e-7 off in float64 at z = -4.1 (measured), past the autodiff
        # tolerance: the same tanh form from float64 tf ops, which tf differentiates itself
        tf_op=lambda tf, z: 0.5 * z * (1.0 + tf.tanh(GELU_C * (z + _GELU_K * z ** 3))),
        repro='torch.nn.functional.gelu(z, approximate="tanh")'),
)
ACTIVATION_OPS: dict[str, ActivationOp] = {op.name: op for op in _ACTIVATIONS}


# ---- losses ---------------------------------------------------------------------------------

def as_rows(Y: np.ndarray, n_out: int) -> np.ndarray:
    """Targets as rows: integer class indices, shape (batch,), become one-hot rows
    (batch, n_out); rows are returned as they are."""
    if Y.ndim == 1 and np.issubdtype(Y.dtype, np.integer):
        return np.eye(n_out)[Y]
    return Y


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z) along the last axis, shifted by the row max so exp never overflows."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax(z))


def _mse(out, Y):
    """L = mean over all elements of (out - Y)^2."""
    return float(np.mean((out - Y) ** 2))


def _mse_grad(out, Y):
    # dL/dout = 2 (out - Y) / n with n = batch * n_out: the 2 and the 1/n both matter.
    return 2.0 * (out - Y) / out.size


def _half_sse(out, Y):
    """L = 1 / (2 batch) * sum over all elements of (out - Y)^2: the textbook quadratic cost."""
    return float(np.sum((out - Y) ** 2) / (2.0 * out.shape[0]))


def _half_sse_grad(out, Y):
    # dL/dout = (out - Y) / batch: the 1/2 cancels the 2 of the square; no 1/n_out.
    return (out - Y) / out.shape[0]


def _softmax_ce(z, Y):
    """L = mean over the batch of -sum_k Y_k log softmax(z)_k (Y one-hot or soft rows, or
    integer class indices y: then -log softmax(z)_y)."""
    Y = as_rows(Y, z.shape[-1])
    return float(-(Y * log_softmax(z)).sum(axis=-1).mean())


def _softmax_ce_grad(z, Y):
    # d/dz of -sum_k Y_k log p_k = p * sum_k Y_k - Y  (= p - Y for rows that sum to 1).
    Y = as_rows(Y, z.shape[-1])
    return (softmax(z) * Y.sum(axis=-1, keepdims=True) - Y) / z.shape[0]


def _sigmoid_bce(z, Y):
    """L = mean over the batch of -sum_k [Y log s + (1 - Y) log(1 - s)], s = sigmoid(z).

    Written as softplus(z) - Y z, with softplus(z) = log(1 + e^z) = logaddexp(0, z): finite
    for any logit.
    """
    return float((np.logaddexp(0.0, z) - Y * z).sum(axis=-1).mean())


def _sigmoid_bce_grad(z, Y):
    return (sigmoid(z) - Y) / z.shape[0]


# The oracles' losses: sums over the short class axis are matrix-vector products (much faster
# than ufunc reductions along a short axis).

def _squared_numeric(weight_of):
    def loss(out, Y, shift=None):
        batch, n_out = out.shape[-2:]
        sq = (out - Y) ** 2
        return sq.reshape(*sq.shape[:-2], batch * n_out) @ np.full(batch * n_out,
                                                                   weight_of(batch, n_out))
    return loss


def _softmax_ce_numeric(out, Y, shift=None):
    batch, n_out = out.shape[-2:]
    if shift is None:
        shift = out.max(axis=-1, keepdims=True)
    ones = np.ones(n_out)
    lse = np.log(np.exp(out - shift) @ ones) + shift[..., 0]
    return (Y.sum(axis=-1) * lse - (out * Y) @ ones) @ np.full(batch, 1.0 / batch)


def _sigmoid_bce_numeric(out, Y, shift=None):
    batch, n_out = out.shape[-2:]
    return ((_softplus_numeric(out) - Y * out) @ np.ones(n_out)) @ np.full(batch, 1.0 / batch)


def _batch(tf, out):
    return tf.cast(tf.shape(out)[0], tf.float64)


def _tf_softmax_ce(tf, out, y):
    if y.dtype.is_integer:  # class indices: tf's sparse op
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=out))
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=out))


_LOSSES = (
    LossOp(
        name="mse", value=_mse, grad=_mse_grad,
        numeric=_squared_numeric(lambda batch, n_out: 1.0 / (batch * n_out)),
        torch_op=lambda torch, out, y: torch.nn.functional.mse_loss(out, y, reduction="mean"),
        tf_op=lambda tf, out, y: tf.reduce_mean(tf.square(out - y)),
        repro="torch.mean((a - y) ** 2)", default=True),
    LossOp(
        name="softmax_cross_entropy", value=_softmax_ce, grad=_softmax_ce_grad,
        numeric=_softmax_ce_numeric,
        # class-index targets for labels, probability targets for rows: torch's two paths
        torch_op=lambda torch, out, y: torch.nn.functional.cross_entropy(out, y, reduction="mean"),
        tf_op=_tf_softmax_ce,
        repro="torch.nn.functional.cross_entropy(a, y)  # class indices or probability rows",
        logits=True, labels=True, default=True),
    LossOp(
        name="sigmoid_bce", value=_sigmoid_bce, grad=_sigmoid_bce_grad,
        numeric=_sigmoid_bce_numeric,
        torch_op=lambda torch, out, y: torch.nn.functional.binary_cross_entropy_with_logits(
            out, y, reduction="sum") / out.shape[0],
        tf_op=lambda tf, out, y: tf.reduce_sum(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=out)) / _batch(tf, out),
        repro="torch.nn.functional.binary_cross_entropy_with_logits(a, y, reduction='sum') "
              "/ a.shape[0]",
        logits=True, default=True),
    LossOp(
        # not drawn by default: it came after the others, and a seed keeps its networks
        name="half_sse", value=_half_sse, grad=_half_sse_grad,
        numeric=_squared_numeric(lambda batch, n_out: 1.0 / (2.0 * batch)),
        torch_op=lambda torch, out, y: torch.nn.functional.mse_loss(
            out, y, reduction="sum") / (2.0 * out.shape[0]),
        tf_op=lambda tf, out, y: tf.nn.l2_loss(out - y) / _batch(tf, out),  # sum(t^2) / 2
        repro="((a - y) ** 2).sum() / (2.0 * a.shape[0])"),
)
LOSS_OPS: dict[str, LossOp] = {op.name: op for op in _LOSSES}
