"""The layer kinds, in the CS231n convention: how to call a ``KIND_forward``/``KIND_backward``
pair (or a loss function) on a case (the cases are drawn in ``crosscheck/layers/cases.py``),
and finite differences of a forward. Each kind is one record,
:class:`~crosscheck.oracles.layer_kinds.LayerKind` (inputs, call, reference, framework ops,
kinks), declared in ``oracles/layer_kinds.py`` and re-exported here.

A case is ``(arrays, extra)``: ``arrays`` the differentiable inputs by name (float64), in the
order the forward takes them, ``extra`` the rest (labels, stride and padding, a parameter
dict). :func:`call` returns ``(out, grads)`` with ``grads`` named like ``arrays``.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from crosscheck.engine.check import SubjectError
from crosscheck.layers.directional import PER_ELEMENT, directions, uses_directions
from crosscheck.oracles.fd_core import LAYER_STEP, central_difference, coordinate_difference
from crosscheck.oracles.layer_kinds import KINDS, LayerKind

__all__ = ["KINDS", "LayerKind", "call", "numerical_grads"]


def call(kind: LayerKind, forward, backward, arrays: dict, extra: dict, dout,
         forward_only: bool = False):
    """``(out, grads, cache)`` of the pair on the case; for a loss kind ``forward`` is the loss
    function, ``out`` the loss and ``grads`` its dx (``backward`` and ``dout`` unused). What
    the pair returns is checked here: a wrong type, count or shape is a :class:`SubjectError`
    saying so, its ``data["who"]`` the function at fault (``forward`` or ``backward``): a
    report names that one. A gradient of another shape but the same size as its input (``(1,
    D)`` for ``(D,)``) comes back as returned, for the check to report and still compare by
    value. Every call gets copies: nothing the pair does to them reaches the caller; but
    a pair that writes into the arrays it was given (its inputs, or ``dout``) would overwrite
    its caller's in real code, and that is a :class:`SubjectError` of kind ``mutated``."""
    given = {k: v.copy() for k, v in arrays.items()}
    args = kind.args(given, _copy(extra))
    if kind.loss:
        with _at_fault("forward"):
            loss, dx = _pair(forward(*args), "the loss function", "(loss, dx)")
            _unchanged(given, arrays, "the loss function")
            return _array(loss, "loss", ()), {"x": _array(dx, "dx", arrays["x"].shape,
                                                          reshaped=True)}, None
    with _at_fault("forward"):
        out, cache = _pair(forward(*args), "forward", "(out, cache)")
        _unchanged(given, arrays, "forward")
        out = _array(out, "out", None)
    if forward_only:  # test mode: nothing to differentiate
        return out, {}, cache
    with _at_fault("backward"):
        upstream = np.array(dout, copy=True)
        grads = backward(upstream, cache)
        _unchanged({**given, "dout": upstream}, {**arrays, "dout": np.asarray(dout)}, "backward")
        grads = tuple(grads) if isinstance(grads, tuple | list) else (grads,)
        if len(grads) != len(kind.inputs):
            names = ", ".join(f"d{k}" for k in kind.inputs)
            raise SubjectError(f"backward returned {len(grads)} value(s), expected "
                               f"{len(kind.inputs)}: {names}", kind="returned")
        checked = {k: _array(g, f"d{k}", arrays[k].shape, reshaped=True)
                   for k, g in zip(kind.inputs, grads, strict=True)}
    return out, checked, cache


@contextmanager
def _at_fault(who: str):
    """Errors inside: a :class:`SubjectError` whose ``data["who"]`` is ``who`` (an exception
    the pair raised is described as the worker describes it, its traceback kept)."""
    try:
        yield
    except SubjectError as exc:
        exc.data.setdefault("who", who)
        raise
    except Exception as exc:  # noqa: BLE001 - the user's own bug: a verdict
        from crosscheck.engine.check import describe_exception

        error = describe_exception(exc)
        error.data["who"] = who
        raise error from exc


def _unchanged(given: dict, originals: dict, who: str) -> None:
    """A :class:`SubjectError` (kind ``mutated``) naming the arrays ``who`` wrote into."""
    changed = [k for k, v in given.items()
               if not np.array_equal(v, originals[k], equal_nan=True)]
    if changed:
        raise SubjectError(f"{who} wrote into {', '.join(changed)} in place: its caller's "
                           f"{'array' if len(changed) == 1 else 'arrays'} would change (work on "
                           f"a copy, e.g. x = x.copy(), or build a new array)", kind="mutated")


def _pair(value, who: str, what: str):
    if not (isinstance(value, tuple | list) and len(value) == 2):
        raise SubjectError(f"{who} must return {what}, got {type(value).__name__}", kind="returned")
    return value


def _array(value, name: str, shape, reshaped: bool = False) -> np.ndarray:
    """``value`` as a float64 array, checked against ``shape`` (None: any; ``reshaped``: a
    shape of the same size passes, as returned, for the check to report and compare)."""
    if not isinstance(value, np.ndarray | float | int | np.floating) or isinstance(value, bool):
        raise SubjectError(f"{name} is a {type(value).__name__}, expected a numpy array",
                           kind="returned")
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.floating) and not np.issubdtype(arr.dtype, np.integer):
        raise SubjectError(f"{name} has dtype {arr.dtype}, expected float64", kind="returned")
    if shape is not None and arr.shape != tuple(shape) and not (
            reshaped and arr.size == int(np.prod(shape))):
        raise SubjectError(f"{name} has shape {arr.shape}, expected {tuple(shape)}", kind="shape",
                           data={"kind": "shape", "tensor": name, "actual": arr.shape,
                                 "expected": tuple(shape)})
    return np.array(arr, dtype=np.float64)


def _copy(extra: dict) -> dict:
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in extra.items()}


def numerical_grads(kind: LayerKind, forward, arrays: dict, extra: dict, dout,
                    h: float = LAYER_STEP, *, how: str = PER_ELEMENT) -> dict:
    """Central differences of ``sum(out * dout)`` (of the loss, for a loss kind) through
    ``forward``: is a backward consistent with its own forward? ``how``: ``PER_ELEMENT``
    (element by element up to ``FULL_FD_ELEMENTS``) or ``DIRECTIONAL`` (verify-layer's
    default: along a few random directions, crosscheck/layers/directional.py); a tensor taken
    along directions comes back as ``name + ".u"``: the derivative along each of its
    :func:`~crosscheck.layers.directional.directions`. Every call of ``forward`` gets fresh
    copies of the arrays."""
    def value(name, moved):
        a = {k: (moved if k == name else v.copy()) for k, v in arrays.items()}
        args = kind.args(a, _copy(extra))
        if kind.loss:
            return float(forward(*args)[0])
        return float(np.sum(forward(*args)[0] * dout))

    grads = {}
    for position, (name, base) in enumerate(arrays.items()):
        if uses_directions(base.size, how):
            grads[f"{name}.u"] = np.array([
                central_difference(lambda s, u=u, name=name, base=base: value(name, base + s * u), h)
                for u in directions(position, base.shape)])
            continue
        g = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            g[idx] = coordinate_difference(lambda moved, name=name: value(name, moved), base, idx, h)
        grads[name] = g
    return grads
