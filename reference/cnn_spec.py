"""A CNN-style network: the contract a CNN case is checked against (numpy only).

``CNNSpec(input_shape=(C, H, W), layers=(...), loss=..., l2=...)``: the layers run in order on
a batch ``X`` of shape ``(N, C, H, W)``, CS231n style; the first affine layer flattens its
input row-major in (C, H, W) order, and the last layer is an affine layer whose outputs are
the class scores the loss reads. ``Y`` holds int64 class labels, shape ``(N,)``.

Parameters are named by the position of their layer among the layers that have any:
``W{i}, b{i}`` for a conv (``W`` of shape (F, C, k, k)) or an affine layer (``W`` of shape
(D_in, units), forward ``x.reshape(N, -1) @ W + b``), ``gamma{i}, beta{i}`` for a batchnorm
layer. The L2 penalty is the MLP's: ``l2 / (2 * batch) * sum ||W||^2`` over the conv and
affine weights (biases, gamma and beta excluded).

Construction validates everything, the shapes through the whole network included, and
raises a one-line ``ValueError`` naming the bad field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields

import numpy as np

__all__ = ["CNN_LOSSES", "LAYER_TYPES", "AvgPool", "BatchNorm", "CNNSpec", "Conv", "Dropout",
           "Affine", "MaxPool", "ReLU", "dropout_mask", "is_cnn", "layer_from_dict",
           "parse_cnn"]

# softmax cross-entropy on integer labels (batch mean of -log softmax(s)_y), and the multiclass
# SVM loss (batch mean of sum_{j != y} max(0, s_j - s_y + 1)), both on the last layer's scores
CNN_LOSSES: tuple[str, ...] = ("softmax_cross_entropy", "svm")


def _int(owner: str, name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{owner}: {name} must be an int >= {low}, got {value!r}")
    return int(value)


def _number(owner: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise ValueError(f"{owner}: {name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
    return float(value)


class _Layer:
    kind = ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, **{f.name: getattr(self, f.name) for f in fields(self)}}

    def _set(self, name: str, value) -> None:
        object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Conv(_Layer):
    """Cross-correlation with ``filters`` kernels of ``kernel x kernel``, zero padding ``pad``
    on every side, ``stride``: out side = (side + 2 pad - kernel) // stride + 1."""

    filters: int
    kernel: int
    stride: int = 1
    pad: int = 0
    kind = "conv"

    def __post_init__(self) -> None:
        self._set("filters", _int("conv", "filters", self.filters, 1))
        self._set("kernel", _int("conv", "kernel", self.kernel, 1))
        self._set("stride", _int("conv", "stride", self.stride, 1))
        self._set("pad", _int("conv", "pad", self.pad, 0))

    def label(self) -> str:
        return f"conv({self.filters},{self.kernel}x{self.kernel},s{self.stride},p{self.pad})"


@dataclass(frozen=True)
class ReLU(_Layer):
    kind = "relu"

    def label(self) -> str:
        return "relu"


@dataclass(frozen=True)
class _Pool(_Layer):
    """``size x size`` windows every ``stride``, no padding; ``word`` names it in labels."""

    size: int
    stride: int
    word = ""

    def __post_init__(self) -> None:
        self._set("size", _int(self.kind, "size", self.size, 1))
        self._set("stride", _int(self.kind, "stride", self.stride, 1))

    def label(self) -> str:
        return f"{self.word}({self.size},s{self.stride})"


@dataclass(frozen=True)
class MaxPool(_Pool):
    """Max over ``size x size`` windows every ``stride``, no padding; a tie routes the gradient
    to the first maximum in row-major order (torch's and tensorflow's convention)."""

    kind = "max_pool"
    word = "max"


@dataclass(frozen=True)
class AvgPool(_Pool):
    """Mean over ``size x size`` windows every ``stride``, no padding."""

    kind = "avg_pool"
    word = "avg"


@dataclass(frozen=True)
class BatchNorm(_Layer):
    """Train mode: each channel (spatial, over N, H, W) or feature (after an affine layer,
    over N) normalised with its batch mean and biased batch variance, then ``gamma * xhat +
    beta``. It needs at least two values per channel."""

    eps: float = 1e-5
    kind = "batchnorm"

    def __post_init__(self) -> None:
        eps = _number("batchnorm", "eps", self.eps)
        if eps <= 0:
            raise ValueError(f"batchnorm: eps must be > 0, got {self.eps!r}")
        self._set("eps", eps)

    def label(self) -> str:
        return "bn"


@dataclass(frozen=True)
class Dropout(_Layer):
    """Inverted dropout in train mode: ``x * mask`` with ``mask = (u < p) / p``, ``u`` drawn by
    ``numpy.random.default_rng(seed).random(x.shape)`` (:func:`dropout_mask`). ``p`` is the
    keep probability. The mask is part of the network, so every oracle applies the same one."""

    p: float
    seed: int
    kind = "dropout"

    def __post_init__(self) -> None:
        p = _number("dropout", "p", self.p)
        if not 0 < p <= 1:
            raise ValueError(f"dropout: p (the keep probability) must be in (0, 1], got {self.p!r}")
        self._set("p", p)
        self._set("seed", _int("dropout", "seed", self.seed, 0))

    def label(self) -> str:
        return f"drop({self.p:g})"


@dataclass(frozen=True)
class Affine(_Layer):
    """An affine layer ``x.reshape(N, -1) @ W + b`` with ``units`` outputs (kind "affine")."""

    units: int
    kind = "affine"

    def __post_init__(self) -> None:
        self._set("units", _int("affine", "units", self.units, 1))

    def label(self) -> str:
        return f"affine({self.units})"


LAYER_TYPES: dict[str, type] = {t.kind: t for t in (Conv, ReLU, MaxPool, AvgPool, BatchNorm,
                                                      Dropout, Affine)}


def layer_from_dict(d: dict):
    """The layer a :meth:`to_dict` describes."""
    if not isinstance(d, dict) or d.get("kind") not in LAYER_TYPES:
        raise ValueError(f"unknown layer {d!r}; known kinds: {', '.join(LAYER_TYPES)}")
    return LAYER_TYPES[d["kind"]](**{k: v for k, v in d.items() if k != "kind"})


def dropout_mask(shape: tuple[int, ...], p: float, seed: int) -> np.ndarray:
    """The inverted-dropout mask a :class:`Dropout` layer prescribes for an input of ``shape``:
    ``(u < p) / p`` with ``u = default_rng(seed).random(shape)`` (as CS231n's dropout_forward
    with ``dropout_param = {"p": p, "seed": seed}``)."""
    return (np.random.default_rng(seed).random(shape) < p) / p


def _side(owner: str, side: int, window: int, stride: int, pad: int, what: str) -> int:
    if side + 2 * pad < window:
        raise ValueError(f"{owner}: {what} {window} does not fit the input side {side}"
                         + (f" padded by {pad}" if pad else ""))
    return (side + 2 * pad - window) // stride + 1


@dataclass(frozen=True)
class CNNSpec:
    """A CNN-style network; see the module docstring for the contract."""

    input_shape: tuple[int, int, int]
    layers: tuple
    loss: str = "softmax_cross_entropy"
    l2: float = 0.0

    def __post_init__(self) -> None:
        shape = self.input_shape
        if not isinstance(shape, list | tuple) or len(shape) != 3:
            raise ValueError(f"input_shape must be (C, H, W), three positive ints, got {shape!r}")
        shape = tuple(_int("input_shape", "every side", s, 1) for s in shape)
        layers = self.layers
        if not isinstance(layers, list | tuple) or not layers:
            raise ValueError(f"layers must be a non-empty sequence of layers, got {layers!r}")
        layers = tuple(layer_from_dict(x) if isinstance(x, dict) else x for x in layers)
        for i, layer in enumerate(layers):
            if not isinstance(layer, tuple(LAYER_TYPES.values())):
                raise ValueError(f"layers[{i}] is {layer!r}, not a layer; known kinds: "
                                 f"{', '.join(LAYER_TYPES)}")
        if not isinstance(layers[-1], Affine) or layers[-1].units < 2:
            raise ValueError(f"layers[{len(layers) - 1}] must be an affine layer with at least 2 "
                             f"units (the class scores), got {layers[-1].label()}")
        if self.loss not in CNN_LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; known: {', '.join(CNN_LOSSES)}")
        if isinstance(self.l2, bool) or not isinstance(self.l2, int | float | np.floating):
            raise ValueError(f"l2 must be a number >= 0, got {self.l2!r}")
        if not math.isfinite(self.l2) or self.l2 < 0:
            raise ValueError(f"l2 must be finite and >= 0, got {self.l2!r}")
        l2 = float(self.l2)
        object.__setattr__(self, "input_shape", shape)
        object.__setattr__(self, "layers", layers)
        object.__setattr__(self, "l2", l2)
        self.shapes()  # every layer must fit its input

    # ---- shapes and parameters ----------------------------------------------------------

    def shapes(self) -> tuple[tuple[int, ...], ...]:
        """The per-sample shape of every layer's output, in order: (C, H, W) before the first
        affine layer, (units,) from it on. Raises ``ValueError`` for a layer that does not fit."""
        shape: tuple[int, ...] = self.input_shape
        out = []
        for i, layer in enumerate(self.layers):
            owner = f"layers[{i}] ({layer.kind})"
            if isinstance(layer, Conv | MaxPool | AvgPool):
                if len(shape) != 3:
                    raise ValueError(f"{owner} needs a (C, H, W) input, but it follows an "
                                     f"affine layer")
                c, h, w = shape
                if isinstance(layer, Conv):
                    size, what, pad, c = layer.kernel, "kernel", layer.pad, layer.filters
                else:
                    size, what, pad = layer.size, "window", 0
                shape = (c, _side(owner, h, size, layer.stride, pad, what),
                         _side(owner, w, size, layer.stride, pad, what))
            elif isinstance(layer, Affine):
                shape = (layer.units,)
            out.append(shape)
        return tuple(out)

    def _param_layers(self):
        """(number, index in layers, layer, input shape) of each layer with parameters,
        numbered from 1."""
        shapes = (self.input_shape, *self.shapes())
        number = 0
        for i, layer in enumerate(self.layers):
            if isinstance(layer, Conv | Affine | BatchNorm):
                number += 1
                yield number, i, layer, shapes[i]

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """``W{i}: (F, C, k, k)`` and ``b{i}: (F,)`` for a conv, ``W{i}: (D_in, units)`` and
        ``b{i}: (units,)`` for an affine layer, ``gamma{i}, beta{i}: (channels,)`` for a
        batchnorm layer."""
        out: dict[str, tuple[int, ...]] = {}
        for i, _, layer, shape in self._param_layers():
            if isinstance(layer, Conv):
                out[f"W{i}"] = (layer.filters, shape[0], layer.kernel, layer.kernel)
                out[f"b{i}"] = (layer.filters,)
            elif isinstance(layer, Affine):
                out[f"W{i}"] = (math.prod(shape), layer.units)
                out[f"b{i}"] = (layer.units,)
            else:
                out[f"gamma{i}"] = (shape[0],)
                out[f"beta{i}"] = (shape[0],)
        return out

    def param_names(self) -> tuple[str, ...]:
        """The keys of params and grads, in layer order."""
        return tuple(self.param_shapes())

    def param_layers(self) -> dict[str, int]:
        """Parameter name -> the index in ``layers`` of the layer it belongs to."""
        out = {}
        for number, index, layer, _ in self._param_layers():
            names = ("gamma", "beta") if isinstance(layer, BatchNorm) else ("W", "b")
            out.update({f"{n}{number}": index for n in names})
        return out

    def weight_names(self) -> tuple[str, ...]:
        """The tensors the L2 penalty covers: the conv and affine weights."""
        return tuple(n for n in self.param_names() if n.startswith("W"))

    @property
    def n_classes(self) -> int:
        return self.layers[-1].units

    @property
    def depth(self) -> int:
        """Number of layers with parameters (conv, batchnorm, affine)."""
        return sum(1 for _ in self._param_layers())

    # ---- text and data --------------------------------------------------------------------

    def describe(self) -> str:
        """A short human id such as
        ``3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(10) svm l2=0.1``."""
        c, h, w = self.input_shape
        body = "-".join(layer.label() for layer in self.layers)
        return f"{c}x{h}x{w} {body} {self.loss} l2={self.l2:g}"

    def to_dict(self) -> dict:
        return {"architecture": "cnn", "input_shape": list(self.input_shape),
                "layers": [layer.to_dict() for layer in self.layers], "loss": self.loss,
                "l2": self.l2}

    @classmethod
    def from_dict(cls, d: dict) -> CNNSpec:
        return cls(input_shape=tuple(d["input_shape"]),
                   layers=tuple(layer_from_dict(x) for x in d["layers"]), loss=d["loss"],
                   l2=d.get("l2", 0.0))


_LABELS = {  # describe()'s words for the layers, as regular expressions
    "conv": r"conv\((\d+),(\d+)x(\d+),s(\d+),p(\d+)\)",
    "relu": r"relu",
    "max_pool": r"max\((\d+),s(\d+)\)",
    "avg_pool": r"avg\((\d+),s(\d+)\)",
    "batchnorm": r"bn",
    "dropout": r"drop\(([0-9.eE+-]+)(?:,seed=(\d+))?\)",
    "affine": r"affine\((\d+)\)",
}


def _layer_from_text(word: str):
    for kind, pattern in _LABELS.items():
        m = re.fullmatch(pattern, word)
        if not m:
            continue
        g = m.groups()
        if kind == "conv":
            if g[1] != g[2]:
                raise ValueError(f"{word}: square kernels only (KxK), got {g[1]}x{g[2]}")
            return Conv(filters=int(g[0]), kernel=int(g[1]), stride=int(g[3]), pad=int(g[4]))
        if kind in ("max_pool", "avg_pool"):
            return LAYER_TYPES[kind](size=int(g[0]), stride=int(g[1]))
        if kind == "dropout":
            return Dropout(p=float(g[0]), seed=int(g[1] or 0))
        if kind == "affine":
            return Affine(units=int(g[0]))
        return LAYER_TYPES[kind]()
    raise ValueError(f"{word!r} is not a layer; write conv(F,KxK,sS,pP), relu, max(K,sS), "
                     f"avg(K,sS), bn, drop(P) or drop(P,seed=N), affine(U)")


def parse_cnn(text: str) -> tuple[tuple[int, int, int], tuple, str | None, float | None]:
    """``(input_shape, layers, loss or None, l2 or None)`` from :meth:`CNNSpec.describe`'s
    words, e.g. ``"3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(10) svm l2=0.1"``; the loss
    and l2 are optional. Raises a one-line ``ValueError`` naming what does not parse."""
    words = str(text).split()
    if len(words) < 2:
        raise ValueError(f"{text!r}: write the input CxHxW, then the layers joined by '-', e.g. "
                         f"3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(10)")
    m = re.fullmatch(r"(\d+)x(\d+)x(\d+)", words[0])
    if not m:
        raise ValueError(f"{words[0]!r}: the input shape is CxHxW, e.g. 3x8x8")
    shape = tuple(int(v) for v in m.groups())
    layers = tuple(_layer_from_text(w) for w in words[1].split("-"))
    loss = l2 = None
    for word in words[2:]:
        if word in CNN_LOSSES and loss is None:
            loss = word
        elif word.startswith("l2=") and l2 is None:
            try:
                l2 = float(word[3:])
            except ValueError:
                raise ValueError(f"{word!r}: l2 wants a number, e.g. l2=0.1") from None
        else:
            raise ValueError(f"{word!r}: after the layers come the loss ({', '.join(CNN_LOSSES)}) "
                             f"and l2=X, each at most once")
    return shape, layers, loss, l2


def is_cnn(spec) -> bool:
    """Whether ``spec`` describes a CNN-style network (else an MLP ``NetworkSpec``)."""
    return isinstance(spec, CNNSpec)
