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


def _layer(name, inputs, args, *, torch, tf, kinks="") -> LayerKind:
    """A layer kind whose reference pair is ``R.{name}_forward`` / ``R.{name}_backward``."""
    return LayerKind(name, inputs, args, False, getattr(R, f"{name}_forward"),
                     getattr(R, f"{name}_backward"), torch, tf, kinks)


def _loss(name, torch, tf) -> LayerKind:
    """A loss kind: ``R.{name}(x, y) -> (loss, dx)``."""
    return LayerKind(name, ("x",), _x_y, True, getattr(R, name), None, torch, tf, "")


KINDS: dict[str, LayerKind] = {k.name: k for k in [
    _layer("affine", ("x", "w", "b"), lambda a, e: (a["x"], a["w"], a["b"]),
           torch=T.affine, tf=TF.affine),
    _layer("relu", ("x",), _x, kinks="zeros", torch=T.relu, tf=TF.relu),
    _layer("leaky_relu", ("x",), lambda a, e: (a["x"], e["alpha"]), kinks="zeros",
           torch=T.leaky_relu, tf=TF.leaky_relu),
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
    _layer("max_pool", ("x",), _with_param, kinks="ties", torch=T.max_pool, tf=TF.max_pool),
    _layer("avg_pool", ("x",), _with_param, torch=T.avg_pool, tf=TF.avg_pool),
    _layer("rnn_step", ("x", "prev_h", "Wx", "Wh", "b"), lambda a, e: tuple(a.values()),
           torch=T.rnn_step, tf=TF.rnn_step),
    _layer("word_embedding", ("W",), lambda a, e: (e["x"], a["W"]), torch=T.word_embedding,
           tf=TF.word_embedding),
]}
