"""The layer kinds of the CS231n convention, one record each: ``out, cache = KIND_forward(...)``
and ``grads = KIND_backward(dout, cache)`` (a loss kind is one function returning
``(loss, dx)``).

A record holds everything the suite knows about its kind: the differentiable inputs and how
a case's arrays become the call's arguments, the reference's forward and backward
(``reference/cnn_layers.py``), PyTorch's and TensorFlow's op (``op(framework module, arrays,
extra) -> out``, written in ``oracles/torch_layers.py`` and ``oracles/tf_layers.py``; no
framework is imported here), and where the layer check's edge cases put inputs on a kink.
Its case space is ``crosscheck.layers.cases.SPACES[name]``. The layer check
(``crosscheck/layers``), the framework layer oracles and the reproduction scripts read these
records; ``tests/test_layer_kinds.py`` checks that every record has every field.

A case is ``(arrays, extra)``: ``arrays`` the differentiable inputs by name (float64), in the
order the forward takes them, ``extra`` the rest (labels, stride and padding, a parameter
dict).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from crosscheck.reference import cnn_layers as R

from . import tf_layers as TF
from . import torch_layers as T

__all__ = ["KINDS", "KINKS", "LayerKind"]

KINKS = {
    "": "none: the forward is smooth where the edge cases put its inputs",
    "zeros": "at 0: the edge cases set inputs to exactly 0, where ReLU's slope jumps",
    "ties": "at ties: the edge cases draw small integers, so a window's maximum is tied",
}


@dataclass(frozen=True)
class LayerKind:
    name: str
    inputs: tuple[str, ...]  # differentiable arguments, in call order
    args: Callable  # (arrays, extra) -> the forward's positional arguments
    loss: bool  # one function returning (loss, dx), no backward
    reference: Callable  # the reference's forward, or its loss function
    reference_backward: Callable | None  # None for a loss kind
    torch: Callable  # (torch, arrays as tensors, extra) -> out
    tf: Callable  # (tensorflow, arrays as variables, extra) -> out
    # where finite differences of the forward cross a kink on the layer check's edge cases
    # (a key of KINKS); there they measure a chord, not a derivative
    kinks: str
    # the valid subgradient conventions at those kinks: ``(arrays, extra, dout, mine,
    # theirs, differ) -> words`` when the pair's gradients ``mine`` differ from the
    # frameworks' ``theirs`` only by such a convention (``differ(a, b)``: the mask of
    # elements outside the tolerance), else ""; None where the kind has no kink
    subgradient: Callable | None = None

    @property
    def pair(self) -> tuple[Callable, Callable | None]:
        """The reference's (forward, backward); (loss function, None) for a loss."""
        return self.reference, self.reference_backward


def _with_param(a, e):
    return (*a.values(), e["param"])


def _x(a, e):
    return (a["x"],)


def _x_y(a, e):
    return (a["x"], e["y"])


def _layer(name, inputs, args, *, torch, tf, kinks="", subgradient=None) -> LayerKind:
    """A layer kind whose reference pair is ``R.{name}_forward`` / ``R.{name}_backward``."""
    return LayerKind(name, inputs, args, False, getattr(R, f"{name}_forward"),
                     getattr(R, f"{name}_backward"), torch, tf, kinks, subgradient)


# ---- subgradient conventions at the kinks -------------------------------------------------
# At an exact kink any element of the subdifferential is a valid gradient: the frameworks
# pick one (ReLU'(0) = 0, leaky ReLU'(0) = alpha, a tied window's gradient to its first
# maximum), learners' code often another. A difference there and nowhere else is a
# convention, not a wrong backward; copying the gradient to every tied maximum is not one
# (the shares sum to more than dout: no subgradient of max does that).

def _slope_at_zero(low: float, frameworks: float, what: str):
    """The convention check of an elementwise kind whose slope at 0 may be anything in
    [``low``, 1] (``low``: the slope left of 0, ``frameworks``: the frameworks' choice)."""
    def subgradient(arrays, extra, dout, mine, theirs, differ) -> str:
        x, dx, d = arrays["x"], mine["x"], np.asarray(dout)
        lo = extra.get("alpha", low)
        off = differ(dx, theirs["x"])
        if not off.any() or np.any(off & (x != 0)) or np.any(off & (d == 0)):
            return ""
        slope = dx[off] / d[off]
        if np.any(slope < lo - 1e-9) or np.any(slope > 1 + 1e-9):
            return ""
        used = f"{slope[0]:.6g}" if np.allclose(slope, slope[0]) else f"values in [{lo:g}, 1]"
        return (f"{what}'(0) = {used} where the frameworks use {extra.get('alpha', frameworks):g}"
                f"; any value in [{lo:g},1] is a valid subgradient")
    return subgradient


def _pool_route(x, dout, param, share: str):
    """dx of max pooling with each window's gradient routed to its maxima: ``first``, ``last``
    (one of them, in row-major order) or ``even`` (split equally among them)."""
    ph, pw, s = param["pool_height"], param["pool_width"], param["stride"]
    dx = np.zeros_like(x, dtype=np.float64)
    n, c, ho, wo = np.shape(dout)
    for i in range(ho):
        for j in range(wo):
            win = x[:, :, i * s:i * s + ph, j * s:j * s + pw].reshape(n, c, -1)
            top = (win == win.max(axis=2, keepdims=True)).astype(np.float64)
            if share == "even":
                w = top / top.sum(axis=2, keepdims=True)
            else:
                pick = (np.argmax(top, axis=2) if share == "first"
                        else top.shape[2] - 1 - np.argmax(top[:, :, ::-1], axis=2))
                w = (np.arange(top.shape[2]) == pick[..., None]).astype(np.float64)
            dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += (
                w * dout[:, :, i, j][..., None]).reshape(n, c, ph, pw)
    return dx


_POOL_SHARES = {
    "even": "tied maxima share a window's gradient evenly",
    "last": "a tied window's gradient goes to its last maximum",
}


def _pool_ties(arrays, extra, dout, mine, theirs, differ) -> str:
    x, dx = arrays["x"], mine["x"]
    if not differ(dx, theirs["x"]).any():
        return ""
    for share, words in _POOL_SHARES.items():
        if not differ(dx, _pool_route(x, np.asarray(dout), extra["param"], share)).any():
            return (f"{words} where the frameworks give it all to the first maximum; any "
                    f"split among the tied maxima is a valid subgradient")
    return ""


def _loss(name, torch, tf) -> LayerKind:
    """A loss kind: ``R.{name}(x, y) -> (loss, dx)``."""
    return LayerKind(name, ("x",), _x_y, True, getattr(R, name), None, torch, tf, "")


KINDS: dict[str, LayerKind] = {k.name: k for k in [
    _layer("affine", ("x", "w", "b"), lambda a, e: (a["x"], a["w"], a["b"]),
           torch=T.affine, tf=TF.affine),
    _layer("relu", ("x",), _x, kinks="zeros", torch=T.relu, tf=TF.relu,
           subgradient=_slope_at_zero(0.0, 0.0, "ReLU")),
    _layer("leaky_relu", ("x",), lambda a, e: (a["x"], e["alpha"]), kinks="zeros",
           torch=T.leaky_relu, tf=TF.leaky_relu,
           subgradient=_slope_at_zero(0.0, 0.0, "leaky ReLU")),
    _layer("sigmoid", ("x",), _x, torch=T.sigmoid, tf=TF.sigmoid),
    _layer("tanh", ("x",), _x, torch=T.tanh, tf=TF.tanh),
    # the hinge has a kink at a margin of 0, which no case puts an input on
    _loss("softmax_loss", T.softmax_loss, TF.softmax_loss),
    _loss("svm_loss", T.svm_loss, TF.svm_loss),
    _layer("batchnorm", ("x", "gamma", "beta"), _with_param, torch=T.batchnorm,
           tf=TF.batchnorm),
    _layer("layernorm", ("x", "gamma", "beta"), _with_param, torch=T.layernorm,
           tf=TF.layernorm),
    _layer("dropout", ("x",), _with_param, torch=T.dropout, tf=TF.dropout),
    _layer("conv", ("x", "w", "b"), _with_param, torch=T.conv, tf=TF.conv),
    _layer("max_pool", ("x",), _with_param, kinks="ties", torch=T.max_pool, tf=TF.max_pool,
           subgradient=_pool_ties),
    _layer("avg_pool", ("x",), _with_param, torch=T.avg_pool, tf=TF.avg_pool),
    _layer("rnn_step", ("x", "prev_h", "Wx", "Wh", "b"), lambda a, e: tuple(a.values()),
           torch=T.rnn_step, tf=TF.rnn_step),
    _layer("word_embedding", ("W",), lambda a, e: (e["x"], a["W"]), torch=T.word_embedding,
           tf=TF.word_embedding),
]}
