"""The user's own arrays as one network to check (``crosscheck.check_at``, ``verify --inputs``).

As ``torch.autograd.gradcheck`` does, the function is checked once, at the parameters and the
batch the user gives: the network's sizes come from the arrays (for ``theta-unrolled``, a
vector that does not say them, from ``sizes``), its activations, loss and L2 penalty from the
options, and the oracles compute on the same arrays. The parameters come in the function's
own layout (``W1, b1, ...``; ``Theta1, ...``; ``nn_params``) and are read back into the
contract's ``W_l``/``b_l`` by the layout's adapter (crosscheck/subject/adapters.py).

:func:`load_inputs` reads an ``.npz`` file: ``X``, ``Y`` and the parameters under those names.
Whatever does not fit (no such file, not an npz, a key missing, shapes that do not chain) is
one :class:`~crosscheck.errors.UsageError` naming ``inputs`` (``--inputs`` on the command line).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crosscheck.errors import UsageError, option
from crosscheck.reference.sampling import Case
from crosscheck.reference.spec import NetworkSpec

__all__ = ["ArraysGiven", "case_at", "load_inputs", "param_keys"]


@dataclass(frozen=True)
class ArraysGiven:
    """What ``crosscheck.check_at`` hands ``verify`` as its ``inputs``: ``(params, X, Y)``
    themselves instead of an .npz file."""

    arrays: tuple

    def __str__(self) -> str:
        return "(the arrays given to check_at)"


def param_keys(layout: str) -> str:
    """The parameters' names in ``layout``, in words."""
    return {"xw": "W1, b1, W2, b2, ...", "theta": "Theta1, Theta2, ...",
            "theta-unrolled": "nn_params"}[layout]


def load_inputs(path, layout: str) -> tuple[object, np.ndarray, np.ndarray]:
    """``(params, X, Y)`` from the ``.npz`` file ``path``: ``X``, ``Y`` and the parameters in
    ``layout`` (a dict of arrays, or the vector ``nn_params``)."""
    where = f"{option('inputs')} {path}"
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"{where}: no such file")
    try:
        with np.load(p, allow_pickle=False) as data:
            arrays = {k: np.array(data[k]) for k in data.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise UsageError(f"{where}: not an .npz file numpy can read without pickles "
                         f"({type(exc).__name__}); write one with numpy.savez(path, X=X, Y=Y, "
                         f"W1=..., b1=..., ...)") from None
    if not isinstance(arrays, dict):  # a plain .npy holds one array
        raise UsageError(f"{where}: holds one array, not named X, Y and parameters (.npz)")
    missing = [k for k in ("X", "Y") if k not in arrays]
    if layout == "theta-unrolled":
        params = arrays.get("nn_params")
        if params is None:
            missing.append("nn_params")
        extra = sorted(set(arrays) - {"X", "Y", "nn_params"})
    else:
        prefix = ("W", "b") if layout == "xw" else ("Theta",)
        params = {k: v for k, v in arrays.items() if k.startswith(prefix) and k[-1:].isdigit()}
        if not params:
            missing.append(param_keys(layout))
        extra = sorted(set(arrays) - {"X", "Y"} - set(params))
    if missing or extra:
        holds = ", ".join(sorted(arrays)) or "nothing"
        what = (f"has no {', '.join(missing)}" if missing else
                f"holds {', '.join(extra)}, which layout {layout} does not name")
        raise UsageError(f"{where} {what} (it holds {holds}; layout {layout} wants X, Y and "
                         f"{param_keys(layout)})")
    return params, arrays["X"], arrays["Y"]


def _matrix(name: str, value, ndim: int) -> np.ndarray:
    a = np.asarray(value)
    if a.ndim != ndim or a.size == 0 or not (np.issubdtype(a.dtype, np.floating)
                                             or np.issubdtype(a.dtype, np.integer)):
        raise UsageError(f"{option('inputs')}: {name} has shape {a.shape} and dtype {a.dtype}, "
                         f"expected a non-empty {ndim}-D array of numbers")
    if not np.all(np.isfinite(a)):
        raise UsageError(f"{option('inputs')}: {name} holds NaN or Inf")
    return a.astype(np.float64)


def _numbered(params: dict, prefix: str) -> list[np.ndarray]:
    """params[prefix 1], params[prefix 2], ... in order, the numbers without a gap."""
    numbers = sorted(int(k[len(prefix):]) for k in params
                     if k.startswith(prefix) and k[len(prefix):].isdigit())
    if numbers != list(range(1, len(numbers) + 1)):
        raise UsageError(f"{option('inputs')}: the parameters are {', '.join(sorted(params))}; "
                         f"expected {prefix}1, {prefix}2, ... without a gap")
    return [params[f"{prefix}{n}"] for n in numbers]


def _xw(params: dict, bias: bool = True) -> tuple[tuple[int, ...], dict]:
    """(sizes, the parameters) of an xw dict: W1, b1, ..., or W1, W2, ... only when ``bias``
    is False (``--no-bias``)."""
    if not isinstance(params, dict):
        raise UsageError(f"{option('inputs')}: layout xw wants the parameters as a dict "
                         f"W1, b1, ..., got {type(params).__name__}")
    Ws = [_matrix(f"W{i}", W, 2) for i, W in enumerate(_numbered(params, "W"), start=1)]
    bs = _numbered({k: v for k, v in params.items() if k.startswith("b")}, "b") if bias else []
    kinds = "Wb" if bias else "W"
    if (bias and len(bs) != len(Ws)) or set(params) != {
            f"{p}{i}" for i in range(1, len(Ws) + 1) for p in kinds}:
        expected = (f"W1, b1, ..., W{len(Ws)}, b{len(Ws)}" if bias else
                    f"W1, ..., W{len(Ws)} only (a network without biases, {option('bias', False)})")
        raise UsageError(f"{option('inputs')}: the parameters are {', '.join(sorted(params))}; "
                         f"expected {expected}")
    sizes = (Ws[0].shape[0], *(W.shape[1] for W in Ws))
    out = {}
    for i, W in enumerate(Ws, start=1):
        if W.shape[0] != sizes[i - 1]:
            raise UsageError(f"{option('inputs')}: W{i} has shape {W.shape}, but W{i - 1} gives "
                             f"{sizes[i - 1]} outputs: W{i} must have {sizes[i - 1]} rows")
        out[f"W{i}"] = W
        if not bias:
            continue
        b = _matrix(f"b{i}", bs[i - 1], np.ndim(bs[i - 1]))
        if b.shape != (sizes[i],):
            raise UsageError(f"{option('inputs')}: b{i} has shape {b.shape}, expected "
                             f"({sizes[i]},) to fit W{i} {W.shape}")
        out[f"b{i}"] = b
    return sizes, out


def _theta(thetas: dict) -> tuple[tuple[int, ...], dict]:
    if not isinstance(thetas, dict):
        raise UsageError(f"{option('inputs')}: layout theta wants the parameters as a dict "
                         f"Theta1, Theta2, ..., got {type(thetas).__name__}")
    Ts = [_matrix(f"Theta{i}", T, 2) for i, T in enumerate(_numbered(thetas, "Theta"), start=1)]
    if len(Ts) != len(thetas):
        raise UsageError(f"{option('inputs')}: the parameters are {', '.join(sorted(thetas))}; "
                         f"expected Theta1, Theta2, ... only")
    sizes = (Ts[0].shape[1] - 1, *(T.shape[0] for T in Ts))
    for i, T in enumerate(Ts, start=1):
        if T.shape[1] != sizes[i - 1] + 1 or sizes[0] < 1:
            raise UsageError(f"{option('inputs')}: Theta{i} has shape {T.shape}, expected "
                             f"({T.shape[0]}, {sizes[i - 1] + 1}): {sizes[i - 1]} inputs plus "
                             f"the bias column")
    return sizes, {f"Theta{i}": T for i, T in enumerate(Ts, start=1)}


def _unrolled(vector, sizes, order: str) -> dict:
    v = _matrix("nn_params", vector, 1)
    if sizes is None:
        raise UsageError(f"{option('inputs')}: a theta-unrolled vector does not say the layer "
                         f"widths: give {option('sizes')}")
    shapes = [(sizes[i], sizes[i - 1] + 1) for i in range(1, len(sizes))]
    n = sum(r * c for r, c in shapes)
    if v.size != n:
        raise UsageError(f"{option('inputs')}: nn_params has {v.size} values; sizes "
                         f"{'-'.join(map(str, sizes))} need {n}")
    thetas, start = {}, 0
    for i, (r, c) in enumerate(shapes, start=1):
        thetas[f"Theta{i}"] = v[start:start + r * c].reshape(r, c, order=order)
        start += r * c
    return thetas


def _activations(depth: int, activations, hidden, output, loss: str) -> tuple[str, ...]:
    if activations is not None:
        acts = tuple(activations)
        if len(acts) == 1:
            acts = acts * depth
        if len(acts) != depth:
            raise UsageError(f"{option('activations')} names {len(acts)} activations; the "
                             f"arrays give {depth} layer(s)")
        return acts
    from crosscheck.reference.spec import LOGIT_LOSSES

    for name, value in (("hidden_activations", hidden), ("output_activation", output)):
        if value is not None and len(value) != 1:
            raise UsageError(f"{option(name)} wants one name here: the network is the one the "
                             f"arrays give, nothing is drawn")
    if depth > 1 and hidden is None:
        raise UsageError(f"the arrays give {depth} layers: name their activations with "
                         f"{option('activations')} (or {option('hidden_activations')})")
    out = output[0] if output is not None else "identity" if loss in LOGIT_LOSSES else None
    if out is None:
        raise UsageError(f"name the output layer's activation with "
                         f"{option('output_activation')} (or {option('activations')})")
    return (*(hidden[0],) * (depth - 1), out) if depth > 1 else (out,)


def case_at(params, X, Y, *, layout: str = "xw", unrolled_order: str = "C", sizes=None,
            activations=None, hidden_activations=None, output_activation=None, loss=None,
            l2=None, bias: bool = True) -> Case:
    """The one network ``(params, X, Y)`` describe, with the activations, loss and ``l2``
    (default 0) named; ``params`` in ``layout``; ``bias`` False: W1, ..., WL only. Every
    inconsistency is a UsageError."""
    from crosscheck.subject.adapters import _from_thetas

    if layout == "xw":
        got, xw = _xw(params, bias)
    elif layout == "theta":
        got, thetas = _theta(params)
        xw = _from_thetas(thetas, NetworkSpec(sizes=got, activations=("identity",) * (len(got) - 1)))
    else:
        thetas = _unrolled(params, sizes, unrolled_order)
        got, _ = _theta(thetas)
        xw = _from_thetas(thetas, NetworkSpec(sizes=got, activations=("identity",) * (len(got) - 1)))
    if sizes is not None and tuple(sizes) != got:
        raise UsageError(f"{option('sizes')} {'-'.join(map(str, sizes))} does not match the "
                         f"arrays, which give {'-'.join(map(str, got))}")
    X = _matrix("X", X, 2)
    if X.shape[1] != got[0]:
        raise UsageError(f"{option('inputs')}: X has shape {X.shape}; the first layer takes "
                         f"{got[0]} inputs, so X must be (batch, {got[0]})")
    if loss is None or len(tuple([loss] if isinstance(loss, str) else loss)) != 1:
        raise UsageError(f"name the loss with {option('loss')} (one name): the network is the "
                         f"one the arrays give, nothing is drawn")
    loss = loss if isinstance(loss, str) else tuple(loss)[0]
    Y = np.asarray(Y)
    batch, n_out = X.shape[0], got[-1]
    if Y.ndim == 1 and np.issubdtype(Y.dtype, np.integer):
        if loss != "softmax_cross_entropy" or Y.shape != (batch,):
            raise UsageError(f"{option('inputs')}: Y holds integer labels of shape {Y.shape}; "
                             f"labels go with the softmax_cross_entropy loss, one per row of X "
                             f"({batch},)")
        if Y.min() < 0 or Y.max() >= n_out:
            raise UsageError(f"{option('inputs')}: Y's labels run from {Y.min()} to {Y.max()}; "
                             f"the output layer has {n_out} classes (0 .. {n_out - 1})")
        Y = Y.astype(np.int64)
    else:
        Y = _matrix("Y", Y, 2)
        if Y.shape != (batch, n_out):
            raise UsageError(f"{option('inputs')}: Y has shape {Y.shape}, expected ({batch}, "
                             f"{n_out}): one row per row of X, one column per output")
    acts = _activations(len(got) - 1, activations, hidden_activations, output_activation, loss)
    try:
        spec = NetworkSpec(sizes=got, activations=acts, loss=loss,
                           l2=0.0 if l2 is None else float(l2), bias=bias)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Case(spec, xw, X, Y)
