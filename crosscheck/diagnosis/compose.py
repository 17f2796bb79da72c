"""Explain a subject as a composition of catalogued bugs, or say that none explains it.

An explanation is named only when it reproduces what was measured:

- a *base*: the reference, or the reference with one or two structural bugs swapped in (each
  in every form learners write it, :data:`variants.FORMS`), replayed on the same network;
- times an *algebra* of scale bugs, predicted per tensor from the network alone: every data
  gradient x -1 (sign-flip), x batch or 1/batch (batch-scale), x n/2 (mse-missing-2-over-n),
  x n_out/2 with the loss (half-sse-vs-mse); the biases x 1/batch (bias-mean-vs-sum) or
  + l2/batch x b (reg-on-bias); every weight's L2 term l2/batch x W x 0 (l2-grad-missing,
  the penalty in the loss or not), x 1/2 (l2-grad-halved) or x 2 (l2-grad-doubled); and, on
  at most two tensors, exactly 0 (param-never-updated) or a small constant
  (stray-constant-factor).

Every tensor's measured factor against the base must be the predicted one (to 1e-6), and the
loss too, unless no loss-only form explains it (then the explanation still names what the
gradients show and says the loss is unexplained). The fewest bugs win; a tie is broken by
re-running the subject on a network where the tied explanations predict different answers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from crosscheck.diagnosis.catalogue import CATALOGUE
from crosscheck.diagnosis.measure import nice_constant, same, symbolic
from crosscheck.diagnosis.variants import (
    FORMS,
    L2_GRAD_FACTORS,
    grads_from_step,
    inplace_dout,
    patched,
    update_order_step,
)
from crosscheck.engine.check import SubjectError, run_subject
from crosscheck.reference import loss_and_grads as reference_loss_and_grads
from crosscheck.reference.params import init_params
from crosscheck.reference.sampling import Case, random_batch

__all__ = ["Explanation", "another_batch", "confirm_constants", "explain", "loss_alone", "separate",
           "targets_of"]

# a measured factor equals a predicted one to this; for a float32 subject, its rounding
# (~6e-8 per operation, summed over a layer) needs more room
RTOL = {"float64": 1e-6, "float32": 2e-4}
_RTOL = RTOL["float64"]
_LOSS_ONLY = ("loss-log-epsilon", "loss-overflow")  # forms that change the loss value alone
_MAX_BUGS = 3


@dataclass(frozen=True)
class Explanation:
    """Catalogued bugs that together reproduce the subject on one network."""

    ids: tuple[str, ...]
    words: tuple[str, ...]
    loss_explained: bool
    # loss_and_grads(params, X, Y, spec) as the subject would answer under this explanation
    predict: Callable = field(repr=False, compare=False)
    # each further tensor a stray constant or a zero sits on counts as one more bug
    extra: int = 0

    @property
    def cost(self) -> tuple[int, int]:
        return (len(self.ids) + self.extra, 0 if self.loss_explained else 1)


@dataclass(frozen=True)
class _Base:
    ids: tuple[str, ...]
    fn: Callable  # loss_and_grads
    touches: frozenset
    says: tuple[str, ...] = ()  # per id, the form replayed in words ("" for its plain form)


@dataclass(frozen=True)
class _Scale:
    """The algebra's choices: factors on the data gradient of every tensor and of biases."""

    ids: tuple[str, ...]
    data: Callable[[Case], float]  # every tensor's data gradient
    bias: Callable[[Case], float]  # the biases' on top
    loss: Callable[[Case], float]  # the data loss
    reg_bias: bool = False
    factors: tuple = ()  # (id, factor on this network) for the words
    whole: bool = False  # the factor covers the L2 term too (a flipped or scaled update)
    l2_id: str = ""  # an L2 bug: every weight's L2 term is l2 x the reference's ...
    l2: float = 1.0
    l2_loss: float = 1.0  # ... and the penalty in the loss l2_loss x the reference's
    here: tuple = (1.0, 1.0)  # data(case) and bias(case) on the network measured


# Bugs that are another bug on some networks: there only the other is named.
_COINCIDES = {
    # at depth 1 the first layer is every layer: that is mean-before-outer
    "batch-mean-input-row": lambda case: case.spec.depth < 2,
}


def _observable(pid: str, case: Case) -> bool:
    return not CATALOGUE[pid].rule(case) and not _COINCIDES.get(pid, lambda c: False)(case)


def _bases(case: Case, mode_lr: float | None) -> list[_Base]:
    """The reference, each applicable structural form, and pairs of them touching different
    parts (loss-only forms are composed later, with the loss)."""
    singles = []
    for pid, forms in FORMS.items():
        if pid in _LOSS_ONLY or not _observable(pid, case):
            continue
        for patches in forms:
            if any(p.applies is not None and not p.applies(case.spec) for p in patches):
                continue  # the form is another one's twin on this network
            touches = frozenset().union(*(p.touches for p in patches))
            singles.append((pid, patches, touches))
    bases = [_Base((), reference_loss_and_grads, frozenset())]
    bases += [_Base((pid,), patched(*patches), touches, (_says(patches),))
              for pid, patches, touches in singles]
    for (p1, f1, t1), (p2, f2, t2) in itertools.combinations(singles, 2):
        if p1 != p2 and not (t1 & t2):
            bases.append(_Base((p1, p2), patched(*f1, *f2), t1 | t2, (_says(f1), _says(f2))))
    if _observable("inplace-dout", case):
        bases.append(_Base(("inplace-dout",), inplace_dout, frozenset({"all"})))
    if mode_lr:
        bases.append(_Base(("update-order",), grads_from_step(update_order_step, mode_lr),
                           frozenset({"all"})))
    return bases


def _says(patches) -> str:
    return "; ".join(p.says for p in patches if p.says)


def _one(c: Case) -> float:
    return 1.0


# Each scale bug as a factor that is a function of the network, so that an explanation
# predicts the subject on another network too (another batch, another output width).
_SIGN = (("sign-flip", lambda c: -1.0),)
_BATCH = (("batch-scale", lambda c: float(c.batch)), ("batch-scale", lambda c: 1.0 / c.batch))
_MSE = (("mse-missing-2-over-n", lambda c: c.batch * c.spec.sizes[-1] / 2.0, _one),
        # only the 2 missing, the 1/n kept: dout = (out - Y) / out.size
        ("mse-missing-2-over-n", lambda c: 0.5, _one),
        ("half-sse-vs-mse", lambda c: c.spec.sizes[-1] / 2.0, lambda c: c.spec.sizes[-1] / 2.0))
_BIAS = (("bias-mean-vs-sum", lambda c: 1.0 / c.batch),)
# (id, factor on the L2 term of every weight gradient, factor on the penalty in the loss):
# the gradient's L2 term missing (the penalty in the loss, or l2 ignored altogether), halved
# or doubled
_L2 = (*((pid, f, 1.0) for pid, f in L2_GRAD_FACTORS.items()), ("l2-grad-missing", 0.0, 0.0))


def _scales(case: Case) -> list[_Scale]:
    spec = case.spec

    def visible(f) -> bool:  # a factor of 1 on this network cannot be seen here
        return abs(f(case) - 1.0) > 1e-12

    sign = [None, *_SIGN]
    batch = [None, *(b for b in _BATCH if visible(b[1]))]
    mse = [None, *(m for m in _MSE if spec.loss == "mse" and visible(m[1]))]
    # without biases (spec.bias False) no bias can be scaled or penalised
    bias = [None, *(b for b in _BIAS if visible(b[1]) and spec.bias)]
    reg = [False, True] if spec.l2 > 0 and spec.bias else [False]
    whole = [False, True] if spec.l2 > 0 else [False]
    l2 = [None, *_L2] if spec.l2 > 0 else [None]
    out = []
    for s, b, m, bb, rb, w, lb in itertools.product(sign, batch, mse, bias, reg, whole, l2):
        global_parts = [x for x in (s, b, m) if x is not None]
        if w and (not global_parts or lb is not None):  # a whole-step factor covers the L2 term
            continue
        if len(global_parts) > 1 and abs(math.prod(x[1](case) for x in global_parts) - 1.0) <= 1e-12:
            continue  # factors that cancel on this network (1/batch x n/2 at n_out 2) change nothing
        data_fns = [x[1] for x in global_parts]
        ids = tuple(x[0] for x in (*global_parts, *([bb] if bb else []))) + (("reg-on-bias",) if rb else ())
        ids += (lb[0],) if lb else ()
        out.append(_Scale(
            ids, data=lambda c, fs=tuple(data_fns): math.prod(f(c) for f in fs),
            bias=(bb[1] if bb else _one), loss=(m[2] if m else _one), reg_bias=rb,
            factors=tuple((x[0], x[1](case)) for x in (*global_parts, *([bb] if bb else []))),
            whole=w, **({"l2_id": lb[0], "l2": lb[1], "l2_loss": lb[2]} if lb else {}),
            here=(math.prod(f(case) for f in data_fns), (bb[1] if bb else _one)(case))))
    return out


def _l2_part(case: Case, k: str) -> np.ndarray:
    if k.startswith("W"):
        return (case.spec.l2 / case.spec.l2_divisor(case.batch)) * case.params[k]
    return np.zeros_like(case.params[k])


def _reg_bias_part(case: Case, k: str) -> np.ndarray:
    return (case.spec.l2 / case.spec.l2_divisor(case.batch)) * case.params[k]


def _one_group(zeros: list[str], case: Case) -> bool:
    biases = [k for k in case.spec.param_names() if k.startswith("b")]
    return len(zeros) <= 1 or sorted(zeros) == sorted(biases)


def _fit(g: np.ndarray, pred: np.ndarray, rtol: float = _RTOL) -> float | None:
    """The factor c with g == c * pred over the entries finite on both sides (a NaN spreads
    differently through equally correct code), non-finite values present on both or neither."""
    if g.shape != pred.shape:
        return None
    fg, fp = np.isfinite(g), np.isfinite(pred)
    if bool(fg.all()) != bool(fp.all()):
        return None
    both = fg & fp
    a, b = g[both], pred[both]
    bb = float(b @ b)
    if bb == 0.0:
        return None
    c = float(a @ b) / bb
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(c * b)), 1e-300)
    return c if float(np.linalg.norm(a - c * b)) <= rtol * scale else None


def _close(x: float, y: float, rtol: float = _RTOL) -> bool:
    return abs(x - y) <= rtol * max(abs(x), abs(y), 1e-300)


@dataclass(frozen=True)
class _Measured:
    """One tensor of the subject against one base, measured once for every scale to try."""

    any_factor: bool  # the base's data term is 0: any factor predicts it
    data: float | None  # g - p == c * data (the L2 term p as the reference has it)
    whole: float | None  # g == c * base gradient (the L2 term scaled too)
    reg: float | None  # g - l2/batch x b == c * data (biases: a penalty on them too)
    zero: bool  # g is exactly 0 and the base's is not
    as_base: bool  # g is the base's as it stands
    as_ref: bool  # g is the reference's: no bug may both change and restore it
    t_data: float | None  # transposed: g - p == c * flipped(data) (see flipped)
    t_whole: float | None
    # g, the base's data term and the L2 term, for the predictions of an L2 bug
    arrays: tuple = field(default=(), repr=False, compare=False)
    # their sizes and dot products, to rule most of those predictions out at once (_apart)
    dots: tuple = field(default=(), repr=False, compare=False)


def _nothing_to_measure(g: np.ndarray, data: np.ndarray, p: np.ndarray, rtol: float,
                        network_scale: float = 0.0) -> bool:
    """No factor can be read off: wherever both are finite, the base's data term and the
    subject's (g minus the L2 term) are 0 to rounding (a saturated softmax, a dead layer, a
    bias summed over units whose gradients sum to 0) against this tensor or ``network_scale``
    (an SGD step's inferred gradient rounds such a tensor to exactly 0), and NaN/Inf sit on
    both sides or neither."""
    if g.shape != data.shape or bool(np.isfinite(g).all()) != bool(np.isfinite(data).all()):
        return False
    both = np.isfinite(g) & np.isfinite(data)
    if not both.any():
        return True
    scale = max(float(np.abs(g[both]).max()), float(np.abs(p[both]).max()), network_scale, 1e-300)
    return bool(np.abs(data[both]).max() <= rtol * scale and np.abs((g - p)[both]).max() <= rtol * scale)


def flipped(x: np.ndarray) -> np.ndarray:
    """``x`` transposed and, when it is not square, reshaped back to its shape: what
    ``dW = dz.T @ a`` (the column-vector formula) gives after a ``.reshape(W.shape)`` that
    makes the shapes agree (a plain ``.T`` for a square matrix)."""
    return x.T.reshape(x.shape)


def _measure(case: Case, subject: dict, base: dict, ref: dict, rtol: float = _RTOL,
             step: bool = False) -> dict[str, _Measured]:
    """``step``: the subject's gradients are inferred from an SGD step, which rounds a tensor
    whose gradient is noise against the network's to exactly 0 (in grads mode an exact 0 where
    a replay leaves rounding noise is evidence, and is kept)."""
    out = {}
    finite = [np.abs(r[np.isfinite(r)]) for r in ref.values()] if step else []
    network_scale = max((float(r.max()) for r in finite if r.size), default=0.0)
    for k in case.spec.param_names():
        g, bg = subject[k], base[k]
        p = _l2_part(case, k)
        data = bg - p
        flips = g.ndim == 2 and min(g.shape) > 1 and g.shape == data.shape
        out[k] = _Measured(
            any_factor=_nothing_to_measure(g, data, p, rtol, network_scale),
            data=_fit(g - p, data, rtol), whole=_fit(g, bg, rtol),
            reg=(_fit(g - _reg_bias_part(case, k), data, rtol)
                 if k.startswith("b") and case.spec.l2 > 0 else None),
            zero=bool(np.all(g == 0) and np.any(bg != 0)), as_base=same(g, bg, rel=rtol),
            as_ref=same(g, ref[k], rel=rtol),
            t_data=_fit(g - p, flipped(data), rtol) if flips else None,
            t_whole=_fit(g, flipped(bg), rtol) if flips else None,
            arrays=(g, data, p) if k.startswith("W") and case.spec.l2 > 0 else (),
            dots=_dots(g, data, p) if k.startswith("W") and case.spec.l2 > 0 else ())
    return out


def _dots(g: np.ndarray, data: np.ndarray, p: np.ndarray) -> tuple:
    """(size, g.g, d.d, p.p, g.d, g.p, d.p, max|g|, max|d|, max|p|) for :func:`_apart`;
    empty when a value is not finite (then only :func:`same` decides)."""
    if g.shape != data.shape or not all(np.isfinite(x).all() for x in (g, data, p)):
        return ()
    g, d, p = g.ravel(), data.ravel(), p.ravel()
    with np.errstate(over="ignore", invalid="ignore"):  # an Inf product: _apart is unsure
        return (g.size, float(g @ g), float(d @ d), float(p @ p), float(g @ d),
                float(g @ p), float(d @ p), float(np.abs(g).max(initial=0.0)),
                float(np.abs(d).max(initial=0.0)), float(np.abs(p).max(initial=0.0)))


def _apart(dots: tuple, e: float, l2: float, rtol: float) -> bool:
    """Surely not ``same(g, e x data + l2 x p, rel=rtol)``, told from the dot products alone:
    the largest difference is at least its root mean square, and ``same``'s scale is at most
    max(|e| max|d| + |l2| max|p|, max|g|). False when unsure (``same`` then decides)."""
    if not dots:
        return False
    n, gg, dd, pp, gd, gp, dp, mg, md, mp = dots
    squared = gg + e * e * dd + l2 * l2 * pp - 2 * e * gd - 2 * l2 * gp + 2 * e * l2 * dp
    size = gg + e * e * dd + l2 * l2 * pp + 2 * abs(e * gd) + 2 * abs(l2 * gp) \
        + 2 * abs(e * l2 * dp)
    allowed = rtol * max(abs(e) * md + abs(l2) * mp, mg, 1e-300) + 1e-14
    # room for the rounding of the sum (a NaN from an overflow compares False: unsure)
    return squared - 1e-9 * size > n * allowed * allowed


def _l2_fits(m: _Measured, e: float, l2: float, rtol: float, memo: dict, k: str) -> bool:
    """Is the weight gradient e x the base's data term plus l2 x its L2 term?"""
    key = (k, e, l2)
    if key not in memo:
        g, data, p = m.arrays
        memo[key] = not _apart(m.dots, e, l2, rtol) and same(g, e * data + l2 * p, rel=rtol)
    return memo[key]


def _residuals(case: Case, measured: dict[str, _Measured], scale: _Scale, rtol: float = _RTOL,
               memo: dict | None = None):
    """Per tensor: None (predicted), ("zero",), ("transposed",) or ("const", c, on_data) for
    what the scale leaves over; False when a tensor cannot be explained. Under an L2 bug every
    weight must be predicted as it stands (no zero, transpose or constant on top)."""
    out = {}
    memo = {} if memo is None else memo
    for k, m in measured.items():
        e = scale.here[0] * (scale.here[1] if k.startswith("b") else 1.0)
        if scale.l2_id and m.arrays:
            if not _l2_fits(m, e, scale.l2, rtol, memo, k):
                return False
            out[k] = None
            continue
        reg = scale.reg_bias and k.startswith("b")
        c = m.reg if reg else (m.whole if scale.whole else m.data)
        if m.any_factor or (c is not None and _close(c, e, rtol)):
            out[k] = None
        elif m.as_ref:
            return False  # a right tensor that this explanation changes and then restores
        elif m.zero:
            out[k] = ("zero",)
        elif m.as_base:
            return False  # the tensor is right as it stands: a factor here cannot be undone
        elif not reg and not scale.whole and m.t_data is not None and _close(m.t_data, e, rtol):
            out[k] = ("transposed", False)  # the data term transposed, the L2 term added after
        elif (not reg and (scale.whole or _close(e, 1.0, rtol)) and m.t_whole is not None
              and _close(m.t_whole, e, rtol)):
            out[k] = ("transposed", True)  # the whole gradient, L2 term included
        else:
            on_data = m.reg if reg else m.data
            const = nice_constant(on_data / e, rtol) if on_data is not None else None
            if const is None and m.whole is not None and not reg:
                const = nice_constant(m.whole / e, rtol)
                on = False
            else:
                on = True
            if const is None:
                return False
            out[k] = ("const", float(const), on and not scale.whole)
    return out


def _words(case: Case, scale: _Scale, residual: dict, base_ids: tuple,
           base_says: tuple = ()) -> tuple[tuple, tuple]:
    batch, n_out = case.batch, case.spec.sizes[-1]
    ids = list(base_ids)
    says = dict(zip(base_ids, base_says, strict=False))
    words = [f"{pid}: " + (f"{says[pid]}; " if says.get(pid) else "")
             + "replaying it on this network reproduces what it changes" for pid in base_ids]
    for pid, f in scale.factors:
        ids.append(pid)
        what = "every bias" if pid == "bias-mean-vs-sum" else "every data gradient"
        half = pid == "mse-missing-2-over-n" and f == 0.5  # the 2 alone missing
        name = {"sign-flip": "-1", "mse-missing-2-over-n": "1/2" if half else "n/2",
                "half-sse-vs-mse": "n_out/2", "bias-mean-vs-sum": "1/batch"}.get(pid) or (
                    "batch" if f > 1 else "1/batch")
        words.append(f"{pid}: {what} is {name} = {f:.4g} x"
                     + (" (the loss too)" if pid == "half-sse-vs-mse" else "")
                     + (": the 2 of d(out - Y)^2 is missing, the 1/n is there" if half else ""))
    if scale.reg_bias:
        ids.append("reg-on-bias")
        words.append(f"reg-on-bias: every bias is off by l2/batch x b ({case.spec.l2:g}/{batch})")
    if scale.l2_id:
        ids.append(scale.l2_id)
        words.append(f"{scale.l2_id}: every weight gradient is off by exactly {scale.l2 - 1:+g} x "
                     f"l2/batch x W ({case.spec.l2:g}/{batch}): its L2 term is "
                     + {0.0: "missing", 0.5: "half the right one", 2.0: "twice the right one"}.get(
                         scale.l2, f"{scale.l2:g} x the right one")
                     + (", and the loss lacks the penalty too (l2 is ignored)"
                        if scale.l2_loss == 0 else ""))
    zeros = sorted(k for k, r in residual.items() if r and r[0] == "zero")
    consts = sorted((k, r[1]) for k, r in residual.items() if r and r[0] == "const")
    turned = sorted(k for k, r in residual.items() if r and r[0] == "transposed")
    if turned and "transposed-weight" not in ids:
        ids.append("transposed-weight")
        reshaped = [k for k in turned if case.params[k].shape[0] != case.params[k].shape[1]]
        words.append(f"transposed-weight: {', '.join(turned)} equal the prediction transposed"
                     + (f" ({', '.join(reshaped)} then reshaped to its own shape)"
                        if reshaped else ""))
    if zeros:
        ids.append("param-never-updated")
        words.append(f"param-never-updated: {', '.join(zeros)} exactly 0")
    if consts:
        ids.append("stray-constant-factor")
        # the constant as the number it is: a name such as "batch" would say it follows the batch
        words.append("stray-constant-factor: " + ", ".join(
            f"{k} x {nice_constant(c) or symbolic(c, batch, n_out)}" for k, c in consts) + " on top")
    return tuple(ids), tuple(words)


def _predictor(base: _Base, scale: _Scale, residual: dict):
    """Predict the subject on another network under this explanation."""
    def predict(params, X, Y, spec):  # loss_and_grads, like the subject
        case = Case(spec=spec, params=params, X=X, Y=Y, scale=1.0)
        loss, g = base.fn(case.params, case.X, case.Y, case.spec)
        out = {}
        for k in case.spec.param_names():
            p = _l2_part(case, k)
            e = scale.data(case) * (scale.bias(case) if k.startswith("b") else 1.0)
            extra = _reg_bias_part(case, k) if (scale.reg_bias and k.startswith("b")) else 0.0
            if scale.whole:
                v = e * g[k] + extra
            else:
                v = e * (g[k] - p) + (scale.l2 if k.startswith("W") else 1.0) * p + extra
            r = residual.get(k)
            if r and r[0] == "zero":
                v = np.zeros_like(v)
            elif r and r[0] == "transposed":
                v = flipped(e * g[k]) if r[1] else flipped(e * (g[k] - p)) + p + extra
            elif r and r[0] == "const":
                v = (r[1] * e * (g[k] - p) + p + extra) if r[2] else r[1] * v
            out[k] = v
        return loss, out
    return predict


def _loss_prediction(case: Case, base_loss: float, scale: _Scale) -> float:
    spec = case.spec
    divisor = spec.l2_divisor(case.batch)  # the spec's L2 convention
    pen = spec.l2 / (2.0 * divisor) * sum(float(np.sum(case.params[f"W{i}"] ** 2))
                                          for i in range(1, spec.depth + 1))
    loss = scale.loss(case) * (base_loss - pen) + scale.l2_loss * pen
    if scale.reg_bias:
        loss += spec.l2 / (2.0 * divisor) * sum(float(np.sum(case.params[f"b{i}"] ** 2))
                                                for i in range(1, spec.depth + 1))
    return loss


def _loss_only_forms(case: Case, base: _Base):
    """(pid, loss) of each loss-only form. Its loss does not depend on the backward, so the
    form alone gives the value whatever the base swapped in, unless the base changes a loss."""
    if any(t.startswith("loss:") or t == "all" for t in base.touches):
        return
    for pid in _LOSS_ONLY:
        if not _observable(pid, case):
            continue
        for patches in FORMS[pid]:
            try:
                loss, _ = patched(*patches)(case.params, case.X, case.Y, case.spec)
            except Exception:  # noqa: BLE001 - a form that cannot run here explains nothing
                continue
            yield pid, loss


def loss_alone(case: Case, subject, rtol: float = _RTOL) -> tuple[str, ...]:
    """The loss-only bugs whose replay reproduces the subject's wrong loss (within ``rtol``,
    and ten times closer than the reference's), for a subject whose gradients no catalogued
    bug explains: the loss's own bug is still known. The caller knows the loss is wrong."""
    if subject is None or not np.isfinite(subject.loss):
        return ()
    ref_loss, _ = reference_loss_and_grads(case.params, case.X, case.Y, case.spec)
    off = abs(subject.loss - ref_loss)  # the vote found it wrong; a replay must come far closer
    base = _Base((), reference_loss_and_grads, frozenset())
    return tuple(dict.fromkeys(pid for pid, loss in _loss_only_forms(case, base)
                               if same(subject.loss, loss, rel=rtol)
                               and abs(subject.loss - loss) * 10 <= off))


def explain(case: Case, subject, *, error=None, mode_lr: float | None = None,
            check_loss: bool = True, rtol: float = _RTOL) -> list[Explanation]:
    """Every explanation with the fewest bugs that reproduces ``subject`` (a Party; None when
    the subject produced nothing) or its ``error`` (a SubjectError's data) on ``case``."""
    found: list[Explanation] = []
    bases, scales = _bases(case, mode_lr), _scales(case)
    ref_loss, ref = reference_loss_and_grads(case.params, case.X, case.Y, case.spec)
    for base in bases:
        try:
            if base.ids:
                party = run_subject(base.fn, case)
                b_loss, b_grads = party.loss, party.grads
            else:
                b_loss, b_grads = ref_loss, ref
        except SubjectError as exc:
            if error is not None and _same_error(exc, error):
                words = tuple(f"{pid}: replaying it on this network gives the same error"
                              for pid in base.ids)
                found += _error_loss(case, base, error, words, check_loss)
            continue
        except Exception:  # noqa: BLE001 - a form that cannot run on this network explains nothing
            continue
        if error is not None or subject is None:
            continue
        if base.ids and same(b_loss, ref_loss) and all(same(b_grads[k], ref[k]) for k in ref):
            continue  # the structural bug changes nothing on this network: it cannot be seen
        measured = _measure(case, subject.grads, b_grads, ref, rtol, step=bool(mode_lr))
        memo: dict = {}
        left: dict = {}  # what a scale leaves over depends on these of its fields alone
        for scale in scales:
            key = (scale.here, scale.whole, scale.reg_bias, scale.l2_id, scale.l2)
            if key not in left:
                left[key] = _residuals(case, measured, scale, rtol, memo)
            residual = left[key]
            if residual is False:
                continue
            residual = dict(residual)
            ids, words = _words(case, scale, residual, base.ids, base.says)
            strays = sum(1 for r in residual.values() if r and r[0] == "const")
            zeros = [k for k, r in residual.items() if r and r[0] == "zero"]
            # zeros on every bias (or on one tensor) are one bug; a constant per tensor is one
            extra = max(0, strays - 1) + (0 if _one_group(zeros, case) else len(zeros) - 1)
            if not ids or strays > 2 or len(ids) + extra > _MAX_BUGS:
                continue
            predict = _predictor(base, scale, residual)
            loss_ok = not check_loss or same(subject.loss, _loss_prediction(case, b_loss, scale), rel=rtol)
            if not loss_ok and check_loss:
                for pid, l_form in _loss_only_forms(case, base):
                    if same(subject.loss, _loss_prediction(case, l_form, scale), rel=rtol) and pid not in ids:
                        if len(ids) + 1 <= _MAX_BUGS:
                            found.append(Explanation(ids + (pid,), words + (
                                f"{pid}: the loss is reproduced with it",), True, predict, extra))
            found.append(Explanation(ids, words, loss_ok, predict, extra))
    # loss-only discrepancies with every gradient right
    if not found and subject is not None and error is None and check_loss and \
            all(same(subject.grads[k], ref[k], rel=rtol) for k in ref):
        base = bases[0]
        for pid, l_form in _loss_only_forms(case, base):
            if same(subject.loss, l_form, rel=rtol):
                found.append(Explanation((pid,), (f"{pid}: only the loss differs, and replaying it "
                                                   "reproduces the loss exactly",), True,
                                         patched(*FORMS[pid][0])))
                break
    if not found:
        return []
    best = min(e.cost for e in found)
    unique, seen = [], set()
    for e in found:
        key = tuple(sorted(e.ids))
        if e.cost == best and key not in seen:
            seen.add(key)
            unique.append(e)
    return unique


def _error_loss(case: Case, base: _Base, error: dict, words: tuple, check_loss: bool):
    """The base reproduces the subject's error; does it reproduce the loss that came with it,
    or does a loss-only form on top?"""
    loss = error.get("loss")
    if not check_loss or loss is None:
        return [Explanation(base.ids, words, True, base.fn)]
    try:
        base_loss = float(base.fn(case.params, case.X, case.Y, case.spec)[0])
    except Exception:  # noqa: BLE001 - the loss is returned before the shapes are checked
        return [Explanation(base.ids, words, True, base.fn)]
    if same(loss, base_loss):
        return [Explanation(base.ids, words, True, base.fn)]
    out = [Explanation(base.ids + (pid,), words + (f"{pid}: the loss is reproduced with it",),
                       True, base.fn)
           for pid, l_form in _loss_only_forms(case, base) if same(loss, l_form)]
    return out[:1] or [Explanation(base.ids, words, False, base.fn)]


def _same_error(exc: SubjectError, error) -> bool:
    mine = getattr(exc, "data", None) or {}
    theirs = error or {}
    if mine.get("kind") == "shape" and theirs.get("kind") == "shape":
        return mine.get("tensor") == theirs.get("tensor") and mine.get("actual") == theirs.get("actual")
    return bool(theirs.get("message")) and str(exc) == theirs.get("message")


def _outcome(fn, case: Case):
    """What ``fn`` gives on ``case``, as the check sees it: ("ok", grads), ("error", data),
    or None when it cannot run there at all."""
    try:
        party = run_subject(fn, case)
    except SubjectError as exc:
        data = exc.data
        if data.get("kind") == "shape":
            return ("error", (data.get("tensor"), tuple(data.get("actual", ()))))
        return ("error", (data.get("kind"), data.get("message")))
    except Exception:  # noqa: BLE001
        return None
    return ("ok", party.grads)


def _agree(a, b) -> bool:
    if a is None or b is None or a[0] != b[0]:
        return False
    if a[0] == "error":
        return a[1] == b[1]
    return all(same(a[1][k], b[1][k], rel=_RTOL, lenient_nan=True) for k in a[1])


def _observed(r) -> tuple | None:
    if r.error:
        data = r.error_data or {}
        if data.get("kind") == "shape":
            return ("error", (data.get("tensor"), tuple(data.get("actual", ()))))
        return ("error", (data.get("kind"), data.get("message")))
    acc = r.parties[0] if r.parties and r.parties[0].kind == "subject" else None
    return ("ok", acc.grads) if acc is not None else None


def separate(explanations: list[Explanation], case: Case, rerun, tries: int = 6
             ) -> tuple[list[Explanation], list[str]]:
    """Re-run the subject on networks where tied explanations predict different answers and
    keep those that still match; returns (survivors, what the re-runs showed, in words)."""
    if len(explanations) < 2:
        return explanations, []
    rng = np.random.default_rng(20261123)
    notes: list[str] = []
    alive = list(explanations)
    for i in range(tries):
        if len(alive) < 2:
            break
        batch = int(rng.integers(2, 9))
        spec = replace(case.spec, l2=case.spec.l2 if i % 2 == 0 else (0.7 if case.spec.l2 == 0 else 0.0))
        if i % 3 == 2:  # another output width (a subject fixed to its sizes just fails to run)
            sizes = (*case.spec.sizes[:-1], case.spec.sizes[-1] + 1 + i % 2)
            spec = replace(spec, sizes=sizes)
        params = init_params(spec, rng)
        X, Y = random_batch(spec, batch, rng, targets=targets_of(case))
        cand = replace(case, spec=spec, params=params, X=X, Y=Y)
        preds = [_outcome(e.predict, cand) for e in alive]
        if all(p is None for p in preds) or all(_agree(preds[0], p) for p in preds[1:]):
            continue  # they agree here too: no use re-running
        seen = _observed(rerun(cand))
        if seen is None:
            continue
        keep = [e for e, p in zip(alive, preds, strict=True) if _agree(p, seen)]
        if keep and len(keep) < len(alive):
            gone = [" + ".join(e.ids) for e in alive if e not in keep]
            notes.append(f"re-run on {spec.describe()} batch {batch}: {', '.join(gone)} "
                         f"predicted otherwise")
            alive = keep
    return alive, notes


def targets_of(case: Case) -> str:
    """The form of targets a re-run hands the subject: ``labels`` (int class indices) where
    ``case`` has them (a subject written for labels cannot take rows), else ``any`` (rows:
    one-hot, soft or real, which tells bugs apart that one-hot rows alone would not)."""
    return "labels" if np.ndim(case.Y) == 1 else "any"


def another_batch(case: Case) -> Case:
    """The same network and parameters on a fresh batch of another size (batch + 1), targets
    in the same form: where a factor that follows the batch size changes and a constant
    does not."""
    rng = np.random.default_rng(20261204)
    X, Y = random_batch(case.spec, case.batch + 1, rng, targets=targets_of(case))
    return replace(case, X=X, Y=Y)


def confirm_constants(explanations: list[Explanation], case: Case, rerun
                      ) -> tuple[list[Explanation], list[str]]:
    """A stray constant read off one network may be a factor that follows the batch size (4 at
    batch 4 is ``batch``): re-run the subject on another batch size and keep an explanation
    with ``stray-constant-factor`` only if it still predicts the subject there."""
    if not any("stray-constant-factor" in e.ids for e in explanations):
        return explanations, []
    cand = another_batch(case)
    seen = _observed(rerun(cand))
    if seen is None:
        return explanations, []
    keep, notes = [], []
    for e in explanations:
        if "stray-constant-factor" not in e.ids or _agree(_outcome(e.predict, cand), seen):
            keep.append(e)
        else:
            notes.append(f"re-run at batch {cand.batch}: {' + '.join(e.ids)} predicted otherwise "
                         "(the factor is not a constant)")
    return keep, notes
