"""Adapters: a user's function, in the layout and mode they wrote it, as the contract
``loss_and_grads(params, X, Y, spec) -> (loss, grads)`` that the engine checks.

Layouts (how parameters are held):
- ``xw``: the contract itself, ``W_l (sizes[l-1], sizes[l])`` and ``b_l (sizes[l],)``.
- ``theta``: ``Theta1 .. ThetaL``, ``Theta_l (sizes[l], sizes[l-1] + 1)`` with the bias as
  column 0, so ``Theta_l = [b_l | W_l^T]``.
- ``theta-unrolled``: one 1-D vector holding Theta1, Theta2, ... each flattened row-major
  (``unrolled_order="C"``) or column-major (``"F"``, Octave's ``Theta(:)``); the function
  returns ``(loss, grad)`` with ``grad`` unrolled the same way.

Modes (what the function computes):
- ``grads``: ``f(params, X, Y, spec) -> (loss, grads)``.
- ``update``: ``f(params, X, Y, spec, lr) -> new_params``, one plain SGD step. The gradient is
  inferred as ``(before - after) / lr``, so comparing it with an oracle's gradient checks the
  step itself to a tolerance scaled by ``lr``. The step is taken at ``lr`` and at ``2 * lr``
  from the same point: a gradient that depends on ``lr`` (a weight updated before it is used
  to propagate the error) is a failure of kind ``lr-dependent``. A step returns no loss, so
  the loss reported for the subject is the reference's: only the step is judged.
  With ``fixed_lr=LR`` the step size is built into the function, ``f(params, X, Y, spec) ->
  new_params``: it is called once, and the gradient inferred as ``(before - after) / LR``
  (no second rate to probe).

Every call of the user's function gets fresh copies of the parameters, X and Y (so nothing it
keeps can change the suite's own arrays later), is checked for input mutation in the user's
own names, and is stopped after ``timeout`` seconds (SIGALRM, so only in the main thread;
elsewhere the call runs without a limit). That timeout is the in-process fallback's; in the
worker (crosscheck/subject/worker.py) adapters run with ``timeout=None`` and the parent
enforces a hard limit from outside.

Dtype: with ``dtype="float32"`` the function gets float32 copies of the parameters, X and Y
(integer class labels stay integers) and returns float32 arrays (its loss may be a float32 or
a Python float); they are converted back to float64 for the comparison, where the subject is
judged with the float32 row of the tolerance table. A gradient that comes back float64 (an
upcast: numpy promotes float32 mixed with a float64 array or ``np.float64`` scalar) is not a
wrong gradient: it is compared by value, and :func:`upcast_note` says so. Grads mode only: a
float32 SGD step would bury the inferred gradient under rounding of the new weights.
"""

from __future__ import annotations

import signal
import threading
import traceback

import numpy as np

from crosscheck.engine.check import SubjectError, check_arrays, check_unchanged, unpack_pair, user_traceback
from crosscheck.engine.compare import compare_tensor, format_index
from crosscheck.engine.tolerances import TOLERANCES
from crosscheck.reference import loss_and_grads as reference_loss_and_grads

__all__ = ["DTYPES", "LAYOUTS", "MIN_LR", "MODES", "ORDERS", "adapt", "call_with_timeout",
           "layout_note", "make_layout", "step_rates", "upcast_note"]

LAYOUTS: tuple[str, ...] = ("xw", "theta", "theta-unrolled")
MODES: tuple[str, ...] = ("grads", "update")
DTYPES: tuple[str, ...] = ("float64", "float32")
# how theta-unrolled flattens each Theta_l: row-major (numpy's default) or column-major
# (Octave/MATLAB's Theta(:), numpy's order="F")
ORDERS: tuple[str, ...] = ("C", "F")
# The inferred gradient (p - p_new) / lr carries the rounding of p_new, about eps * |p| / lr.
# With |p| <= ~16 (init scale 4, fan-in 1) that is 3.5e-12 at lr = 1e-3: still below the
# autodiff tolerance's floor of 1e-11. Smaller steps would fail correct code.
MIN_LR = 1e-3


class _Timeout(BaseException):
    """Raised inside the user's code by the alarm; BaseException so `except Exception` in
    their code does not swallow it."""


def call_with_timeout(fn, args: tuple, timeout: float | None):
    """``fn(*args)``, stopped after ``timeout`` seconds with ``SubjectError(kind="timeout")``
    naming the user's line it was running. No limit off the main thread or with None."""
    if timeout is None or threading.current_thread() is not threading.main_thread():
        return fn(*args)

    def _alarm(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return fn(*args)
    except _Timeout as exc:
        raise SubjectError(f"did not return within {timeout:g} s (--timeout) and was stopped",
                           kind="timeout", detail=user_traceback(exc, limit=1)) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _theta_shapes(spec) -> dict[str, tuple[int, int]]:
    return {f"Theta{layer}": (spec.sizes[layer], spec.sizes[layer - 1] + 1)
            for layer in range(1, spec.depth + 1)}


def _key_hint(obj, prefix: str, hint: str) -> str:
    """``hint`` when a returned dict has keys of another layout (starting with ``prefix``)."""
    return hint if isinstance(obj, dict) and any(str(k).startswith(prefix) for k in obj) else ""


def _bias_hint(obj, spec) -> str:
    """A hint when a returned dict differs from the params by exactly the biases: a function
    written for the other bias convention (NetworkSpec.bias)."""
    if not isinstance(obj, dict) or not hasattr(spec, "bias"):  # a CNN's spec has no such choice
        return ""
    weights = {f"W{layer}" for layer in range(1, spec.depth + 1)}
    biases = {f"b{layer}" for layer in range(1, spec.depth + 1)}
    keys = {str(k) for k in obj}
    if spec.bias and keys == weights:
        return " (a network without biases? use --no-bias)"
    if not spec.bias and keys == weights | biases:
        return " (biases, but --no-bias draws networks without them)"
    return ""


class _XW:
    name = "xw"
    dtype = np.float64  # what the user's function gets and returns

    def encode(self, params: dict, spec) -> dict:
        return {k: v.astype(self.dtype) for k, v in params.items()}  # astype copies

    def inputs(self, user) -> list[tuple[str, np.ndarray]]:
        return [(f"params[{k!r}]", v) for k, v in user.items()]

    def decode(self, obj, spec, what: str) -> dict:
        hint = (_key_hint(obj, "Theta", " (Theta matrices? use --layout theta)")
                or _bias_hint(obj, spec))
        return check_arrays(obj, spec.param_shapes(), what, hint, dtype=_returned(self.dtype))


class _Theta:
    name = "theta"
    dtype = np.float64

    def encode(self, params: dict, spec) -> dict:
        return {f"Theta{layer}": np.hstack([params[f"b{layer}"][:, None],
                                            params[f"W{layer}"].T]).astype(self.dtype)
                for layer in range(1, spec.depth + 1)}

    def inputs(self, user) -> list[tuple[str, np.ndarray]]:
        return [(f"params[{k!r}]", v) for k, v in user.items()]

    def decode(self, obj, spec, what: str) -> dict:
        hint = _key_hint(obj, "W", " (W/b arrays? use --layout xw)")
        thetas = check_arrays(obj, _theta_shapes(spec), what, hint, dtype=_returned(self.dtype))
        return _from_thetas(thetas, spec)


def _returned(dtype) -> tuple:
    """The dtypes a function given ``dtype`` arrays may return: its own, and float64 from a
    float32 function (an upcast, compared by value; :func:`upcast_note`)."""
    return (dtype, np.float64) if dtype == np.float32 else (dtype,)


def upcast_note(cases) -> str:
    """What a ``dtype="float32"`` campaign's subject returned in float64, in words ("" for
    nothing): "W2 came back float64 on 3 of 5 networks; compared by value". Read from the
    values: a float32 array converted to float64 holds float32 numbers only, so a tensor
    holding any other value came back wider (one that upcast to float64 values that happen
    to be float32 numbers, such as zeros, is compared the same way, without a word)."""
    counts: dict[str, int] = {}
    compared = [c for c in cases if c.parties and c.parties[0].kind == "subject"]
    for c in compared:
        for name, g in c.parties[0].grads.items():
            if not np.array_equal(g.astype(np.float32).astype(np.float64), g, equal_nan=True):
                counts[name] = counts.get(name, 0) + 1
    if not counts:
        return ""
    order = sorted(counts, key=lambda k: (k.lstrip("Wb").isdigit() and int(k.lstrip("Wb")), k))
    if len(set(counts.values())) == 1:
        names = ", ".join(order[:-1]) + " and " + order[-1] if len(order) > 1 else order[0]
        what = f"{names} came back float64 on {counts[order[0]]} of {len(compared)} networks"
    else:
        what = ("some gradients came back float64 ("
                + ", ".join(f"{k} on {counts[k]}" for k in order) + f" of {len(compared)} networks)")
    return f"{what} (an upcast in your float32 code); compared by value, with the float32 tolerances"


def order_note(cases, declared: str) -> str:
    """For a theta-unrolled campaign, the other unrolled order in words when it explains
    every failing network ("" otherwise): the subject's answer is what the reference gives if
    the function unrolls in the other order (reading the parameters and writing the gradient
    that way, or writing the gradient only), so the flag, not the backprop, is wrong."""
    other = next(o for o in ORDERS if o != declared)
    ours, theirs = make_layout("theta-unrolled", unrolled_order=declared), make_layout(
        "theta-unrolled", unrolled_order=other)
    failing = [c for c in cases if c.verdict == "fail"]
    if not failing or any(not c.parties or c.parties[0].kind != "subject" for c in failing):
        return ""

    def close(a, b) -> bool:
        return bool(np.all(np.isfinite(a)) and np.allclose(a, b, rtol=1e-6, atol=1e-12))

    def explained(c) -> bool:
        case, subject = c.case, c.parties[0]
        spec = case.spec
        read = theirs.decode(ours.encode(case.params, spec), spec, "params")  # as they read it
        for params, loss_too in ((read, True), (case.params, False)):
            loss, grads = reference_loss_and_grads(params, case.X, case.Y, spec)
            seen = ours.decode(theirs.encode(grads, spec), spec, "grad")  # as we read theirs
            if all(close(subject.grads[k], seen[k]) for k in seen) and (
                    not loss_too or close(np.float64(subject.loss), loss)):
                return True
        return False

    try:
        if not all(explained(c) for c in failing):
            return ""
    except (SubjectError, ValueError, KeyError):
        return ""
    flag = "--unrolled-order " + other
    return (f"read {_ORDER_WORDS[other]}, the unrolled vector is right on every failing network: "
            f"your function unrolls in that order"
            + (" (Octave's Theta(:) and numpy's order='F' go by columns)" if other == "F" else "")
            + f"; check again with {flag}")


def _from_thetas(thetas: dict, spec) -> dict:
    out = {}
    for layer in range(1, spec.depth + 1):
        T = thetas[f"Theta{layer}"]
        out[f"W{layer}"] = np.ascontiguousarray(T[:, 1:].T)
        out[f"b{layer}"] = T[:, 0].copy()
    return out


class _ThetaUnrolled:
    name = "theta-unrolled"
    dtype = np.float64
    order = "C"  # or "F" (ORDERS)

    def encode(self, params: dict, spec) -> np.ndarray:
        return np.concatenate([T.ravel(order=self.order)
                               for T in _Theta().encode(params, spec).values()]
                              ).astype(self.dtype)

    def inputs(self, user) -> list[tuple[str, np.ndarray]]:
        return [("nn_params", user)]

    def decode(self, obj, spec, what: str) -> dict:
        shapes = _theta_shapes(spec)
        n = sum(r * c for r, c in shapes.values())
        layout = " then ".join(f"{k} {s}" for k, s in shapes.items())
        if not isinstance(obj, np.ndarray):
            raise SubjectError(f"{what} is a {type(obj).__name__}, expected a 1-D numpy array")
        if obj.size == n and obj.ndim == 2 and 1 in obj.shape:
            raise SubjectError(f"{what} has shape {obj.shape}, expected ({n},) "
                               f"(flatten it with .ravel())")
        if obj.shape != (n,):
            raise SubjectError(f"{what} has shape {obj.shape}, expected ({n},): {layout}, "
                               f"each flattened {_ORDER_WORDS[self.order]}")
        if obj.dtype not in _returned(self.dtype):
            raise SubjectError(f"{what} has dtype {obj.dtype}, expected {np.dtype(self.dtype)}")
        obj = obj.astype(np.float64)
        thetas, start = {}, 0
        for k, (r, c) in shapes.items():
            thetas[k] = obj[start:start + r * c].reshape(r, c, order=self.order)
            start += r * c
        return _from_thetas(thetas, spec)


_LAYOUTS = {cls.name: cls for cls in (_XW, _Theta, _ThetaUnrolled)}
_ORDER_WORDS = {"C": "row-major", "F": "column-major (order='F')"}


def make_layout(layout: str, dtype: str = "float64", unrolled_order: str = "C"):
    """The adapter of ``layout`` for arrays of ``dtype``, unrolling in ``unrolled_order``
    (theta-unrolled only): the one place a layout object is made (here and in the worker's
    input check)."""
    lay = _LAYOUTS[layout]()
    lay.dtype = np.dtype(dtype).type
    lay.order = unrolled_order
    return lay


def step_rates(lr: float, fixed_lr: float | None) -> tuple[float, ...]:
    """The rates an update-mode step is taken at: ``lr`` and ``2 * lr``, or the one rate
    built into the function (``fixed_lr``)."""
    return (fixed_lr,) if fixed_lr is not None else (lr, 2.0 * lr)
# In the worker: a list that gets, per call of the user's function, the arrays it was given as
# they are after the call; the parent compares them with its own copies (subject/worker.py)
RECORD: list | None = None
# In the worker, while a call is traced (crosscheck/locate): an update-mode step is taken at
# the rates of traced_rates only (the line tracer runs on every line of the user's: a second
# step would double its cost and add nothing a departure needs)
ONE_RATE = False


def traced_rates(rates: tuple[float, ...]) -> tuple[float, ...]:
    """The rates a traced update-mode step is taken at (the first): the worker takes the
    step at them and the matcher counts a step only at them."""
    return rates[:1]


def _call_user(fn, layout, user, X, Y, spec, extra: tuple, timeout, hint: str = ""):
    """One call of the user's function on fresh parameters, checked for input mutation."""
    snapshot = [(label, arr.copy(), arr) for label, arr in layout.inputs(user)]
    X0, Y0 = X.copy(), Y.copy()  # the function's own copies: it may keep them
    try:
        out = call_with_timeout(fn, (user, X0, Y0, spec, *extra), timeout)
    except TypeError as exc:
        if traceback.extract_tb(exc.__traceback__)[-1].filename != __file__:
            raise  # raised inside the user's code: reported with their frames
        first = "nn_params" if layout.name == "theta-unrolled" else "params"
        if extra:
            call, other = f"f({first}, X, Y, spec, lr)", " (a gradient function? drop --mode update)"
        elif hint:  # update mode with the step size built in (--fixed-lr)
            call, other = f"f({first}, X, Y, spec)", " (it takes lr? use --lr instead of --fixed-lr)"
        else:
            call, other = f"f({first}, X, Y, spec)", " (an SGD step? use --mode update)"
        raise SubjectError(f"cannot be called as {call}: {exc}{other}", kind="raised") from None
    if RECORD is not None:
        RECORD.append([(label, arr) for label, _, arr in snapshot] + [("X", X0), ("Y", Y0)])
    check_unchanged([(label, before, arr) for label, before, arr in snapshot], hint)
    check_unchanged([("X", X, X0), ("Y", Y, Y0)])
    return out


def _as_dtype(X, Y, dtype):
    """The user's X and Y: copies in ``dtype`` (integer class labels stay as they are)."""
    if dtype == np.float64:
        return X, Y
    return X.astype(dtype), (Y if np.issubdtype(Y.dtype, np.integer) else Y.astype(dtype))


def _scalar32(loss):
    """A float32 loss (a numpy scalar or one-element array) as a Python float; anything else
    as it is, for the engine's own loss check to judge."""
    if isinstance(loss, np.floating | np.ndarray) and loss.dtype == np.float32 and loss.size == 1:
        return float(np.asarray(loss).reshape(()))
    return loss


def _grads_mode(fn, layout, timeout):
    what = "(loss, grad) with grad a 1-D vector" if layout.name == "theta-unrolled" else "(loss, grads)"

    def loss_and_grads(params, X, Y, spec):
        Xu, Yu = _as_dtype(X, Y, layout.dtype)
        out = _call_user(fn, layout, layout.encode(params, spec), Xu, Yu, spec, (), timeout)
        loss, user_grads = unpack_pair(out, what)
        if layout.dtype == np.float32:
            loss = _scalar32(loss)
        try:
            grads = layout.decode(user_grads, spec, "grad" if layout.name == "theta-unrolled"
                                  else "grads")
        except SubjectError as exc:
            if isinstance(loss, float | int | np.floating) and not isinstance(loss, bool):
                exc.data.setdefault("loss", float(loss))  # for the diagnosis, with the shapes
            raise
        return loss, grads
    return loss_and_grads


_INPLACE_HINT = " (an SGD step must return new arrays: W = W - lr * dW, not W -= lr * dW)"


def _update_mode(fn, layout, rates: tuple[float, ...], timeout, fixed: bool):
    what = "new nn_params" if layout.name == "theta-unrolled" else "new params"

    def loss_and_grads(params, X, Y, spec):
        inferred = []
        for rate in traced_rates(rates) if ONE_RATE else rates:
            user = layout.encode(params, spec)
            new = _call_user(fn, layout, user, X, Y, spec, () if fixed else (rate,), timeout,
                             _INPLACE_HINT)
            new = layout.decode(new, spec, what)
            inferred.append({k: (params[k] - new[k]) / rate for k in spec.param_names()})
        loss = reference_loss_and_grads(params, X, Y, spec)[0]
        if not fixed and len(inferred) > 1:  # a step size built in cannot be probed
            _check_lr_independent(inferred, rates, loss, spec, params, X.shape[0])
        return loss, inferred[0]
    return loss_and_grads


def _check_lr_independent(inferred: list[dict], rates: tuple, loss: float, spec,
                          params: dict, batch: int) -> None:
    g1, g2 = inferred
    tol = TOLERANCES["autodiff"]
    # NaN or Inf at either rate says nothing about the rate (NaN != NaN): such elements are
    # left to the comparison with the oracles, which reports them as non-finite
    diffs = [compare_tensor(k, g2[k], g1[k], "2 * lr", "lr", tol, loss,
                            exclude=~(np.isfinite(g1[k]) & np.isfinite(g2[k])))
             for k in spec.param_names()]
    bad = [d for d in diffs if not d.ok]
    if not bad:
        return
    worst = max(bad, key=lambda d: d.rel_norm if np.isfinite(d.rel_norm) else np.inf)
    same = [d.tensor for d in diffs if d.ok]
    where = f"{worst.tensor}{format_index(worst.worst_index)}"
    differ = [d.tensor for d in bad]
    top = {f"W{spec.depth}", f"b{spec.depth}"}
    decay = _fixed_shrink(inferred, rates, params, spec, batch, differ)
    if decay:
        why = f". {decay}"
    elif top & set(differ):  # the top layer's step is taken before any weight can change
        why = (". The top layer's step depends on it too, so it is not a weight updated before "
               "use: some term of the step does not scale with lr")
    else:
        why = ". A weight updated before it is used to propagate the error does this"
    raise SubjectError(
        f"its step implies a gradient that depends on the learning rate: (before - after) / lr "
        f"differs between lr={rates[0]:g} and lr={rates[1]:g} on {', '.join(differ)}"
        + (f" ({', '.join(same)} agree)" if same else "")
        + f"; worst {where}: {worst.b_value:.6g} at lr={rates[0]:g}, {worst.a_value:.6g} at "
          f"lr={rates[1]:g}" + why,
        kind="lr-dependent", data={"grads": g1, "rate": rates[0], "differ": differ,
                                   "shrink": bool(decay)})


def _fixed_shrink(inferred: list[dict], rates: tuple, params: dict, spec, batch: int,
                  differ: list[str]) -> str:
    """The words for a step ``W - lr * g - c * W`` (a weight decay that skips the learning
    rate), or "": its move before - after = lr * g(lr) is affine in lr, and the part that does
    not scale with lr, 2 lr g(lr) - 2 lr g(2 lr) at rates lr and 2 lr, is one c x W in every
    weight that differs (the biases agree)."""
    r1, r2 = rates
    if any(not k.startswith("W") for k in differ) or abs(r2 - 2 * r1) > 1e-12 * r2:
        return ""
    num = den = 0.0
    parts = []
    for k in differ:
        fixed = 2 * r1 * (np.asarray(inferred[0][k], float) - np.asarray(inferred[1][k], float))
        W = np.asarray(params[k], float)
        if not (np.all(np.isfinite(fixed)) and np.any(W)):
            return ""
        parts.append((fixed, W))
        num, den = num + float(np.sum(fixed * W)), den + float(np.sum(W * W))
    c = num / den
    if c == 0 or any(np.linalg.norm(f - c * W) > 1e-6 * max(np.linalg.norm(f), 1e-300)
                     for f, W in parts):
        return ""
    rate = spec.l2 / spec.l2_divisor(batch)
    what = (" = l2/batch" if spec.l2 and abs(c - rate) <= 1e-6 * rate else "")
    lr_times = (f" = lr x l2/batch at lr={r1:g}"
                if spec.l2 and abs(c - r1 * rate) <= 1e-6 * r1 * rate else "")
    return (f"Whatever lr is, the step also shrinks every weight by {c:.4g}{what or lr_times} "
            f"x W: a weight decay applied without the learning rate (W * (1 - l2/batch) where "
            f"W * (1 - lr * l2/batch) is meant)" if what else
            f"Whatever lr is, the step also moves every weight by {c:.4g}{lr_times} x W: a "
            f"term that does not scale with the learning rate")


def adapt(fn, *, layout: str = "xw", mode: str = "grads", lr: float = 0.1,
          timeout: float | None = 10.0, dtype: str = "float64", fixed_lr: float | None = None,
          unrolled_order: str = "C"):
    """The contract ``loss_and_grads(params, X, Y, spec)`` for the user's ``fn`` written in
    ``layout``, ``mode`` and ``dtype`` (see the module docstring); ``fixed_lr``: an update
    step whose size is built in; ``unrolled_order``: how theta-unrolled flattens."""
    if layout not in _LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; choose from {', '.join(DTYPES)}")
    if dtype == "float32" and mode == "update":
        raise ValueError("dtype float32 applies to mode grads only: a float32 step's rounding "
                         "of the new weights (~6e-8 |W| / lr) would swamp the inferred gradient")
    if unrolled_order not in ORDERS:
        raise ValueError(f"unknown unrolled order {unrolled_order!r}; choose from "
                         f"{', '.join(ORDERS)}")
    if fixed_lr is not None and mode != "update":
        raise ValueError("fixed_lr is a step size built into an update step: mode update only")
    lay = make_layout(layout, dtype, unrolled_order)
    if mode == "grads":
        return _grads_mode(fn, lay, timeout)
    rate = step_rates(lr, fixed_lr)[0]
    if not (np.isfinite(rate) and rate >= MIN_LR):
        raise ValueError(f"lr must be a finite number >= {MIN_LR:g}, got {rate!r}")
    return _update_mode(fn, lay, step_rates(lr, fixed_lr), timeout, fixed_lr is not None)


def layout_note(layout: str, mode: str, *, fixed_lr: float | None = None,
                unrolled_order: str = "C") -> str:
    """How the report's tensor names map onto the user's, or "" when they are the user's."""
    notes = []
    if layout in ("theta", "theta-unrolled"):
        unrolled = (f" (each Theta_l unrolled {_ORDER_WORDS[unrolled_order]} into the vector)"
                    if layout != "theta" else "")
        notes.append(f"layout {layout}: W_l[i, j] is Theta_l[j, i + 1] and b_l[j] is "
                     f"Theta_l[j, 0]{unrolled}")
    if mode == "update" and fixed_lr is not None:
        notes.append(f"mode update, step size {fixed_lr:g} built in (--fixed-lr): the "
                     f"gradients are inferred from one step as (before - after) / {fixed_lr:g}; "
                     f"the loss is the reference's")
    elif mode == "update":
        notes.append("mode update: the gradients are inferred from the step as "
                     "(before - after) / lr; the loss is the reference's")
    return "; ".join(notes)
