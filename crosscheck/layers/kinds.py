"""The layer kinds, in the CS231n convention: what each one takes and how to call a
``KIND_forward``/``KIND_backward`` pair (or a loss function) on a case (the cases are drawn in
``crosscheck/layers/cases.py``).

A case is ``(arrays, extra)``: ``arrays`` the differentiable inputs by name (float64), in the
order the forward takes them, ``extra`` the rest (labels, stride and padding, a parameter
dict). :func:`call` returns ``(out, grads)`` with ``grads`` named like ``arrays``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from crosscheck.engine.check import SubjectError
from crosscheck.oracles.fd_core import LAYER_STEP, central_difference, coordinate_difference

__all__ = ["KINDS", "LayerKind", "call", "numerical_grads"]


@dataclass(frozen=True)
class LayerKind:
    name: str
    inputs: tuple[str, ...]  # differentiable arguments, in call order
    args: Callable  # (arrays, extra) -> the forward's positional arguments
    loss: bool = False  # one function returning (loss, dx), no backward


def _with_param(a, e):
    return (*a.values(), e["param"])


KINDS: dict[str, LayerKind] = {k.name: k for k in [
    LayerKind("affine", ("x", "w", "b"), lambda a, e: (a["x"], a["w"], a["b"])),
    LayerKind("relu", ("x",), lambda a, e: (a["x"],)),
    LayerKind("leaky_relu", ("x",), lambda a, e: (a["x"], e["alpha"])),
    LayerKind("sigmoid", ("x",), lambda a, e: (a["x"],)),
    LayerKind("tanh", ("x",), lambda a, e: (a["x"],)),
    LayerKind("softmax_loss", ("x",), lambda a, e: (a["x"], e["y"]), loss=True),
    LayerKind("svm_loss", ("x",), lambda a, e: (a["x"], e["y"]), loss=True),
    LayerKind("batchnorm", ("x", "gamma", "beta"), _with_param),
    LayerKind("layernorm", ("x", "gamma", "beta"), _with_param),
    LayerKind("dropout", ("x",), _with_param),
    LayerKind("conv", ("x", "w", "b"), _with_param),
    LayerKind("max_pool", ("x",), _with_param),
    LayerKind("avg_pool", ("x",), _with_param),
    LayerKind("rnn_step", ("x", "prev_h", "Wx", "Wh", "b"),
              lambda a, e: tuple(a.values())),
    LayerKind("word_embedding", ("W",), lambda a, e: (e["x"], a["W"])),
]}


def call(kind: LayerKind, forward, backward, arrays: dict, extra: dict, dout,
         forward_only: bool = False):
    """``(out, grads, cache)`` of the pair on the case; for a loss kind ``forward`` is the loss
    function, ``out`` the loss and ``grads`` its dx (``backward`` and ``dout`` unused). What
    the pair returns is checked here: a wrong type, count or shape is a :class:`SubjectError`
    saying so. Every call gets copies: nothing the pair does to them reaches the caller."""
    args = kind.args({k: v.copy() for k, v in arrays.items()}, _copy(extra))
    if kind.loss:
        loss, dx = _pair(forward(*args), "the loss function", "(loss, dx)")
        return _array(loss, "loss", ()), {"x": _array(dx, "dx", arrays["x"].shape)}, None
    out, cache = _pair(forward(*args), "forward", "(out, cache)")
    out = _array(out, "out", None)
    if forward_only:  # test mode: nothing to differentiate
        return out, {}, cache
    grads = backward(np.array(dout, copy=True), cache)
    grads = tuple(grads) if isinstance(grads, tuple | list) else (grads,)
    if len(grads) != len(kind.inputs):
        names = ", ".join(f"d{k}" for k in kind.inputs)
        raise SubjectError(f"backward returned {len(grads)} value(s), expected "
                           f"{len(kind.inputs)}: {names}", kind="returned")
    checked = {k: _array(g, f"d{k}", arrays[k].shape) for k, g in zip(kind.inputs, grads, strict=True)}
    return out, checked, cache


def _pair(value, who: str, what: str):
    if not (isinstance(value, tuple | list) and len(value) == 2):
        raise SubjectError(f"{who} must return {what}, got {type(value).__name__}", kind="returned")
    return value


def _array(value, name: str, shape) -> np.ndarray:
    """``value`` as a float64 array, checked against ``shape`` (None: any)."""
    if not isinstance(value, np.ndarray | float | int | np.floating) or isinstance(value, bool):
        raise SubjectError(f"{name} is a {type(value).__name__}, expected a numpy array",
                           kind="returned")
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.floating) and not np.issubdtype(arr.dtype, np.integer):
        raise SubjectError(f"{name} has dtype {arr.dtype}, expected float64", kind="returned")
    if shape is not None and arr.shape != tuple(shape):
        raise SubjectError(f"{name} has shape {arr.shape}, expected {tuple(shape)}", kind="shape",
                           data={"kind": "shape", "tensor": name, "actual": arr.shape,
                                 "expected": tuple(shape)})
    return np.array(arr, dtype=np.float64)


def _copy(extra: dict) -> dict:
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in extra.items()}


# Tensors up to this many elements are differenced element by element; a larger one (a
# convolution's input) gets DIRECTIONS random directions instead, two forwards each: the
# adjoint test <grad, u> = (f(x + h u) - f(x - h u)) / 2h, which any inconsistency fails for
# almost every u. Directions are the same on both sides of the worker: see :func:`directions`.
FULL_FD_ELEMENTS = 512
DIRECTIONS = 3


def directions(position: int, shape: tuple) -> np.ndarray:
    """(DIRECTIONS, *shape) unit directions for the input at ``position`` in the kind."""
    u = np.random.default_rng([0xC0FFEE, position]).normal(size=(DIRECTIONS, *shape))
    return u / np.sqrt((u.reshape(DIRECTIONS, -1) ** 2).sum(axis=1)).reshape(-1, *[1] * len(shape))


def numerical_grads(kind: LayerKind, forward, arrays: dict, extra: dict, dout,
                    h: float = LAYER_STEP) -> dict:
    """Central differences of ``sum(out * dout)`` (of the loss, for a loss kind) through
    ``forward``: is a backward consistent with its own forward? A tensor above
    :data:`FULL_FD_ELEMENTS` comes back as ``name + ".u"``: the derivative along each of its
    :func:`directions`. Every call of ``forward`` gets fresh copies of the arrays."""
    def value(name, moved):
        a = {k: (moved if k == name else v.copy()) for k, v in arrays.items()}
        args = kind.args(a, _copy(extra))
        if kind.loss:
            return float(forward(*args)[0])
        return float(np.sum(forward(*args)[0] * dout))

    grads = {}
    for position, (name, base) in enumerate(arrays.items()):
        if base.size > FULL_FD_ELEMENTS:
            grads[f"{name}.u"] = np.array([
                central_difference(lambda s, u=u, name=name, base=base: value(name, base + s * u), h)
                for u in directions(position, base.shape)])
            continue
        g = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            g[idx] = coordinate_difference(lambda moved, name=name: value(name, moved), base, idx, h)
        grads[name] = g
    return grads
