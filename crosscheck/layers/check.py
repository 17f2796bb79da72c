"""Check one layer's forward/backward pair on random cases: three independent answers.

For each case the user's pair runs (in the worker process when it can be imported, as for
networks), then:

- *forward*: its output against PyTorch's and TensorFlow's own ops (``oracles/torch_layers.py``,
  ``oracles/tf_layers.py``);
- *backward*: its gradients against both frameworks' autograd with the same upstream ``dout``;
- *consistency*: its gradients against central differences of the user's **own** forward,
  so a backward that is the exact derivative of a wrong forward says so. They are taken
  along a few random directions (a few forward calls per tensor, however large), and only
  a case that fails (that, or against the frameworks) is differenced element by element, to
  say which elements are wrong
  (``crosscheck/layers/directional.py``, the way gradcheck's fast mode does).

Every fifth case from the fourth on sits on an edge learners get wrong: exact zeros for the
ReLUs (the derivative at the tie), ties inside max-pooling windows, saturated sigmoid/tanh,
large scores for the losses. At ReLU zeros and pooling ties central differences measure a
chord, not a derivative: there the consistency check is skipped and the case says so; the
framework comparisons still run (their convention: ReLU'(0) = 0, the first maximum of a tie).
A pair that differs from them there only by another valid subgradient (the kind's record,
``LayerKind.subgradient``, says which) follows a convention: the case passes with the words
in ``LayerCase.convention``, and fails only under ``strict``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from crosscheck.engine.check import SubjectError
from crosscheck.engine.compare import compare_tensor, element_bad
from crosscheck.engine.tolerances import TOLERANCES
from crosscheck.layers.cases import Shape, build, draw_shapes
from crosscheck.layers.directional import DIRECTIONAL, PER_ELEMENT, consistency, needs_elements
from crosscheck.layers.kinds import KINDS, LayerKind, call, numerical_grads
from crosscheck.layers.pitfalls import name_layer_bug

__all__ = ["CaseData", "LayerCase", "LayerResult", "case_shapes", "check_layer_case", "check_layer",
           "dropout_mask", "prepare", "reference_pair"]


def _bn_test(param: dict, arrays: dict, rng) -> dict:
    d = arrays["x"].shape[1]
    return {**param, "mode": "test", "running_mean": rng.normal(size=d),
            "running_var": rng.uniform(0.5, 2.0, size=d)}


_TEST_MODE = {  # every 5th case from the 5th on: the forward in test mode, checked alone
    "batchnorm": _bn_test,
    "dropout": lambda param, arrays, rng: {**param, "mode": "test"},
}


@dataclass
class LayerCase:
    index: int
    describe: str  # the shapes and parameters of the case
    error: str = ""  # the pair raised or returned something unusable
    error_detail: str = ""
    # (part, tensor, message): part is "forward", "backward" (vs torch), "consistency" or
    # "shape" (a gradient of its input's size in another shape, its values still compared)
    findings: list = field(default_factory=list)
    fd_skipped: bool = False  # an edge case at a kink: no finite differences
    suspect: str = ""  # the catalogued layer bug whose replay reproduces this case, if any
    shape: Shape | None = None  # what the case was built from
    error_kind: str = ""  # the SubjectError's kind when the pair raised or returned junk
    # a subgradient convention at the kind's kinks (ReLU'(0) = 1, tied maxima sharing the
    # gradient), in words, when the pair differs from the frameworks there and nowhere else;
    # the differences it explains are in ``conventions`` (as findings), not in ``findings``
    convention: str = ""
    conventions: list = field(default_factory=list)
    strict: bool = False  # a convention fails the case too

    @property
    def verdict(self) -> str:
        return "fail" if self.error or self.findings or (self.convention and self.strict) \
            else "pass"


@dataclass(frozen=True)
class LayerResult:
    """What checking a layer pair found: frozen once made, as the other results; the driver
    (``run_layer``) adds the shrunk cases and the targets with :func:`dataclasses.replace`."""

    kind: str
    subject: str
    cases: tuple[LayerCase, ...] = ()
    seconds: float = 0.0
    isolation_off: str = ""  # why the pair ran in this process, or ""
    dtype: str = "float64"
    seed: int = 0
    # the first failing cases, shrunk (crosscheck/layers/shrink.py: ShrunkCase)
    shrunk: tuple = ()
    targets: tuple | None = None  # ("/abs/file.py:forward", ".../backward" or None), if any
    stopped: str = ""  # why the check ended before its last case, if it did
    strict: bool = False  # a subgradient convention at a kink fails (see LayerCase.convention)
    dropout_p: str = "keep"  # what dropout's p meant to the pair: the keep or drop probability
    # the first line of the pair's code that computes a wrong value (crosscheck/locate), as
    # data for the reports, on its smallest failing case; None when not looked for
    line: dict | None = None

    @property
    def passed(self) -> bool:
        return all(c.verdict == "pass" for c in self.cases)

    @property
    def convention(self) -> str:
        """The subgradient conventions the pair follows where the frameworks differ, in words
        with the cases they showed on ("" for none): a warning, or with ``strict`` a failure."""
        seen: dict[str, list] = {}
        for c in self.cases:
            if c.convention:
                seen.setdefault(c.convention, []).append(c.index)
        return "; ".join(f"convention: {text} (case{'s' if len(idx) > 1 else ''} "
                         f"{', '.join(map(str, idx))})" for text, idx in seen.items())

    @property
    def conclusion(self) -> str:
        fails = [c for c in self.cases if c.verdict == "fail"]
        if not fails:
            judged = ("torch and tensorflow (float32 tolerances)" if self.dtype == "float32"
                      else "torch, tensorflow and finite differences of the forward")
            if self.convention:
                k = sum(1 for c in self.cases if c.convention)
                return (f"every one of the {len(self.cases)} cases agrees with {judged}, "
                        f"{k} of them up to a subgradient convention at a kink (a warning; "
                        f"strict fails it)")
            return f"every one of the {len(self.cases)} cases agrees with {judged}"
        named: dict[str, int] = {}
        for c in fails:
            if c.suspect:
                named[c.suspect] = named.get(c.suspect, 0) + 1
        lead = ""
        if named:
            lead = "explained by " + ", ".join(
                f"{pid} (in {k} of {len(fails)} failing cases)" for pid, k in
                sorted(named.items(), key=lambda kv: -kv[1])) + "; "
        parts: dict[str, set] = {}
        for c in fails:
            for part, tensor, _ in c.findings:
                parts.setdefault(part, set()).add(tensor)
        raised = sum(1 for c in fails if c.error)
        words = []
        strict = [c for c in fails if c.convention and not c.findings and not c.error]
        if strict:
            words.append(f"{len(strict)} case(s) differ from the frameworks only by a "
                         f"subgradient convention at a kink, which strict fails")
        if "forward" in parts:
            words.append(f"the forward is wrong ({', '.join(sorted(parts['forward']))} differ "
                         f"from the frameworks')")
        back = parts.get("backward", set())
        cons = parts.get("consistency", set())
        if back and cons:
            words.append(f"the backward is wrong: {', '.join(sorted(back | cons))} differ from "
                         f"the frameworks' autograd and from finite differences of your own forward")
        elif back and "forward" in parts:
            words.append(f"the backward ({', '.join(sorted(back))}) is consistent with your "
                         f"forward: it differentiates the wrong forward correctly")
        elif back:
            words.append(f"{', '.join(sorted(back))} differ from the frameworks' autograd only")
        elif cons:
            words.append(f"{', '.join(sorted(cons))} differ from finite differences of your "
                         f"own forward only")
        if "shape" in parts:
            words.append(f"{', '.join(sorted(parts['shape']))} come back in another shape of "
                         f"the right size (their values compared as if reshaped)")
        if raised:
            words.append(f"it raised or returned something unusable on {raised} case(s)")
        if not words and any(c.findings for c in fails):
            tensors = sorted({t for c in fails for _, t, _ in c.findings})
            words.append(f"{', '.join(tensors)} fail a check of their own")
        return f"{len(fails)} of {len(self.cases)} cases fail: {lead}" + "; ".join(words)


def reference_pair(kind: str):
    """The reference's (forward, backward) for ``kind``; (loss function, None) for a loss."""
    return KINDS[kind].pair


def _edge(kind: str, arrays: dict, extra: dict, rng) -> tuple[dict, bool]:
    """(arrays moved to the kind's edge, whether finite differences cross a kink there)."""
    a = {k: v.copy() for k, v in arrays.items()}
    kinks = KINDS[kind].kinks  # where the kind's kinks are (oracles/layer_kinds.py)
    if kinks == "zeros":
        a["x"][rng.random(a["x"].shape) < 0.4] = 0.0
        return a, True
    if kinks == "ties":
        a["x"] = rng.integers(0, 3, size=a["x"].shape).astype(np.float64)
        return a, True
    if kind in ("sigmoid", "tanh"):
        a["x"] = a["x"] * 20.0
    if kind in ("softmax_loss", "svm_loss"):
        a["x"] = a["x"] * 1000.0  # past exp's overflow at 709 without the max shift
    return a, False


def dropout_mask(out: np.ndarray, x: np.ndarray, p: float, rtol: float = 1e-9,
                 hint: bool = False) -> tuple[np.ndarray, str]:
    """The mask the user's forward applied (out / x), and what is wrong with it, if anything
    (``p`` keeps an entry; ``rtol``: how far from 1/p a kept entry's ratio may be, float32
    rounds it at 1e-7). ``hint``: when the mask fits ``1 - p`` instead, say so (the pair
    reads p as the drop probability, as the 2016-17 CS231n handouts did)."""
    mask, problem = _mask_problem(out, x, p, rtol)
    if problem and hint and 0 < p < 1 and not _mask_problem(out, x, 1.0 - p, rtol)[1]:
        problem += "; p looks like the drop probability (--dropout-p drop)"
    return mask, problem


def _mask_problem(out: np.ndarray, x: np.ndarray, p: float, rtol: float) -> tuple[np.ndarray, str]:
    mask = np.divide(out, x, out=np.zeros_like(x), where=x != 0)
    kept = mask[(x != 0) & (mask != 0)]
    if kept.size and np.allclose(kept, 1.0, rtol=rtol) and p < 1:
        return mask, (f"out keeps its entries unscaled: dropout without the inverted 1/p scale "
                      f"(p = {p:g} keeps out = x, expected x / p)")
    if kept.size and not np.allclose(kept, 1.0 / p, rtol=rtol):
        return mask, f"out / x is not 0 or 1/p = {1 / p:.6g} (got {float(kept[0]):.6g})"
    n, k = int(np.count_nonzero(x)), int(kept.size)
    if 0 < p < 1 and n and _binomial_tail(n, k, p) < _MASK_ODDS:
        return mask, (f"out keeps {k} of {n} entries where p = {p:g} keeps about {p * n:.0f}: "
                      f"the odds of that are below {_MASK_ODDS:g} (the mask keeps u < p, "
                      f"with probability p)")
    return mask, ""


_MASK_ODDS = 1e-7  # a correct mask fails this test once in ten million cases


def _binomial_tail(n: int, k: int, p: float) -> float:
    """P(X <= k) or P(X >= k), the smaller, for X ~ Binomial(n, p)."""
    i = np.arange(n + 1)
    log_pmf = (math.lgamma(n + 1) - np.array([math.lgamma(j + 1) + math.lgamma(n - j + 1)
                                              for j in i])
               + i * math.log(p) + (n - i) * math.log1p(-p))
    pmf = np.exp(log_pmf)
    return float(min(pmf[:k + 1].sum(), pmf[k:].sum()))


def case_shapes(kind_name: str, cases: int, seed: int) -> list[Shape]:
    """The check's cases: ``cases`` shapes drawn from the kind's space (``cases.draw_shapes``:
    the first at every least dimension), every fifth from the fourth on moved to the kind's
    edge, every fifth from the fifth on (batchnorm, dropout) the forward in test mode."""
    shapes = []
    for index, (dims, values) in enumerate(draw_shapes(kind_name, cases, seed)):
        mode = "normal"
        if index % 5 == 3:
            mode = "edge"
        elif index % 5 == 4 and kind_name in _TEST_MODE:
            mode = "test"
        shapes.append(Shape(kind_name, dims, values, mode))
    return shapes


@dataclass
class CaseData:
    """What a case gave the pair: enough to replay it (a reproduction script)."""

    arrays: dict
    extra: dict
    dout: object  # None for a loss kind
    numerical: bool  # finite differences of the forward were asked for


def prepare(shape: Shape, dtype: str = "float64") -> CaseData:
    """The arrays, the rest and the upstream gradient of ``shape``, the same every time."""
    kind = KINDS[shape.kind]
    rng = np.random.default_rng(shape.values)
    arrays, extra = build(shape, rng)
    if dtype == "float32":  # everyone sees the same rounded inputs
        arrays = {k: v.astype(np.float32).astype(np.float64) for k, v in arrays.items()}
    kinked = False
    if shape.mode == "edge":
        arrays, kinked = _edge(shape.kind, arrays, extra, rng)
    if shape.mode == "test":  # the forward at inference: running statistics, no dropout
        extra = {**extra, "param": _TEST_MODE[shape.kind](extra["param"], arrays, rng)}
    dout = None  # a test-mode case draws one too: the frameworks differentiate it unused
    if not kind.loss:
        ref_forward, _ = reference_pair(shape.kind)
        ref_out = ref_forward(*kind.args({k: v.copy() for k, v in arrays.items()},
                                         {k: (dict(v) if isinstance(v, dict) else v)
                                          for k, v in extra.items()}))[0]
        dout = rng.normal(size=np.shape(ref_out))
    return CaseData(arrays, extra, dout, numerical=not kinked and dtype == "float64")


def describe(shape: Shape, data: CaseData) -> str:
    shapes = ", ".join(f"{k} {tuple(v.shape)}" for k, v in data.arrays.items())
    indices = {k: v for k, v in data.extra.items() if isinstance(v, np.ndarray)}  # y, x
    shapes += "".join(f", {k} {tuple(v.shape)} (indices)" for k, v in indices.items())
    params = data.extra.get("param") or {k: v for k, v in data.extra.items() if k in ("alpha",)}
    # the scalars: running statistics and other arrays would drown the line
    params = {k: v for k, v in params.items() if not isinstance(v, np.ndarray)}
    return (shapes + (f" {params}" if params else "")
            + {"normal": "", "edge": " (edge)", "test": " (test mode: forward only)"}[shape.mode])


# In float32 the reference itself, run in float32 on the case, is off the float64 frameworks by
# what the case's conditioning allows (a batch of two normalises to +-1 and the gradient
# through its mean and variance cancels to rounding of terms ~1/std); a float32 pair is
# allowed that error times this factor on top of the table's float32 row.
_FLOOR_FACTOR = 10.0


def _float32_floor(shape: Shape, data: CaseData) -> dict | None:
    """The reference's float32 output and gradients on the case (``out`` and one per input),
    or None for dropout, whose mask is the pair's own."""
    if shape.kind == "dropout":
        return None
    kind = KINDS[shape.kind]
    forward, backward = reference_pair(shape.kind)
    single = {k: v.astype(np.float32) for k, v in data.arrays.items()}
    dout = None if data.dout is None else data.dout.astype(np.float32)
    out, grads, _ = call(kind, forward, backward, single, data.extra, dout,
                         forward_only=shape.mode == "test")
    return {"out": out, **grads}


def _name(names: dict | None, who: str, label: str) -> str:
    """The function ``who`` ("forward", "backward") by its name, or the pair's ``label``."""
    return (names or {}).get(who) or label


def _who(data: dict, names: dict | None) -> str:
    """Which of the pair raised, hung or cut its reply short: the worker's word for an
    exception, else the backward when its name is on the stack dumped at a timeout."""
    if "who" in data:
        return data["who"]
    backward = (names or {}).get("backward")
    return "backward" if backward and backward in data.get("stack", ()) else "forward"


def check_layer_case(shape: Shape, pair_call, *, label: str, oracles: dict, index: int = 0,
                     dtype: str = "float64", names: dict | None = None,
                     dropout_p: str = "keep", strict: bool = False) -> tuple[LayerCase, CaseData]:
    """One case: the pair's output and gradients against each framework's layer oracle and
    against finite differences of the pair's own forward. ``names`` maps "forward" and
    "backward" to the functions' names (a problem is told under the function at fault; the
    pair's ``label`` otherwise); ``dropout_p``: what dropout's ``p`` means to the pair
    ("keep", as in the contract, or "drop"); ``strict``: a difference that is only a
    subgradient convention at a kink (the kind's record says which are valid) fails."""
    kind_name = shape.kind
    kind: LayerKind = KINDS[kind_name]
    autodiff = TOLERANCES["autodiff"]
    if dtype == "float32":
        autodiff = TOLERANCES["float32"]
    data = prepare(shape, dtype)
    arrays, extra, dout = data.arrays, data.extra, data.dout  # extra: p keeps, as the oracles
    if kind_name == "dropout" and dropout_p == "drop":  # the pair is given the drop probability
        data = replace(data, extra={**extra, "param": {**extra["param"],
                                                       "p": 1.0 - extra["param"]["p"]}})
    test_mode = shape.mode == "test"
    case = LayerCase(index=index, describe=describe(shape, data), shape=shape,
                     fd_skipped=shape.mode == "edge" and bool(kind.kinks), strict=strict)
    mine = arrays if dtype == "float64" else {k: v.astype(np.float32) for k, v in arrays.items()}
    my_dout = dout if dtype == "float64" or dout is None else dout.astype(np.float32)
    try:
        out, grads, num = pair_call(mine, data.extra, my_dout, data.numerical and DIRECTIONAL,
                                    test_mode)
    except SubjectError as exc:
        data = getattr(exc, "data", None) or {}
        case.error, case.error_detail = f"{_name(names, _who(data, names), label)} {exc}", \
            exc.detail
        case.error_kind = exc.kind
        case.suspect = name_layer_bug(kind_name, arrays, extra, dout, None, None,
                                      {"kind": exc.kind, **data})
        return case, data
    # a gradient of its input's size in another shape ((1, D) for (D,)): said, then compared
    for k in list(grads):
        if grads[k].shape != arrays[k].shape:
            case.findings.append(("shape", f"d{k}", (
                f"{_name(names, 'forward' if kind.loss else 'backward', label)} returned d{k} "
                f"with shape {grads[k].shape} where {k} has shape {arrays[k].shape} (its "
                f"values are compared below as if reshaped)")))
            grads = {**grads, k: grads[k].reshape(arrays[k].shape)}
    oracle_extra = dict(extra)
    if kind_name == "dropout" and not test_mode:
        mask, problem = dropout_mask(out, arrays["x"], extra["param"]["p"],
                                     rtol=1e-5 if dtype == "float32" else 1e-9,
                                     hint=dropout_p == "keep")
        oracle_extra["mask"] = mask
        if problem:
            case.findings.append(("forward", "out", problem))
    floor = _float32_floor(shape, data) if dtype == "float32" else None
    theirs: dict = {}  # the first framework's gradients: a convention is read against them
    for framework, layer_oracle in oracles.items():
        t_out, t_grads = layer_oracle(kind_name, arrays, oracle_extra, dout)
        theirs = theirs or t_grads

        def tol(name, theirs):
            if floor is None or name not in floor:
                return autodiff
            return replace(autodiff, atol_abs=_FLOOR_FACTOR * float(np.max(
                np.abs(floor[name] - theirs), initial=0.0)))

        mine_out = np.asarray(out)
        if mine_out.shape != np.shape(t_out):
            case.findings.append(("forward", "out", f"out has shape {mine_out.shape}, "
                                                    f"{framework}'s {np.shape(t_out)}"))
            # the same size in another shape: the values are still compared
            mine_out = mine_out.reshape(np.shape(t_out)) if mine_out.size == np.size(t_out) \
                else None
        if mine_out is not None:
            d = compare_tensor("out", mine_out, np.asarray(t_out), label, framework,
                               tol("out", t_out), 0.0)
            if not d.ok:
                case.findings.append(("forward", "out", d.message()))
        for k in kind.inputs if not test_mode else ():
            d = compare_tensor(f"d{k}", grads[k], t_grads[k], label, framework,
                               tol(k, t_grads[k]), 0.0)
            if not d.ok:
                case.findings.append(("backward", f"d{k}", d.message()))
    if num and not test_mode:
        case.findings += _consistency(kind, pair_call, mine, data, my_dout, grads, num, label,
                                      failing=bool(case.findings))
    if case.findings and case.fd_skipped and kind.subgradient is not None and all(
            part == "backward" for part, _, _ in case.findings):
        # only the gradient differs, on a case at the kind's kinks: a convention there?
        case.convention = kind.subgradient(
            arrays, extra, dout, grads, theirs,
            lambda a, b: element_bad(a, b, autodiff, 0.0))
        if case.convention:
            case.conventions, case.findings = case.findings, []
    if case.findings or case.convention:
        case.suspect = name_layer_bug(kind_name, arrays, extra, dout, out, grads,
                                      rtol=2e-4 if dtype == "float32" else 1e-8)
    return case, data


def _consistency(kind: LayerKind, pair_call, mine: dict, data: CaseData, dout, grads: dict,
                 num: dict, label: str, failing: bool) -> list:
    """The backward against finite differences of its own forward, ``num`` taken along a few
    directions (crosscheck/layers/directional.py). A case that fails, that check or one
    before it (``failing``: against the frameworks), is explained by the per-element check of
    this case alone (one more call of the pair), whose findings are the case's, as
    gradcheck's fast mode re-runs its slow mode to say which elements are wrong: a failing
    case is told exactly as before the directional check (whether the backward is also
    inconsistent with its own forward, by how little, and where)."""
    found = consistency(kind.inputs, grads, num, label)
    if (found or failing) and needs_elements(grads, num, DIRECTIONAL):
        try:
            _, _, elements = pair_call(mine, data.extra, dout, PER_ELEMENT, False)
        except SubjectError:  # it ran once and not twice: the directional findings stand
            return found
        found = consistency(kind.inputs, grads, elements, label)
    return found


# A pair that times out on this many cases in a row is not called again: each call would
# cost the full limit (10 x --timeout), and the verdict is already a failure.
STOP_AFTER_TIMEOUTS = 2




def check_layer(kind_name: str, pair_call, *, label: str, cases: int, seed: int,
                oracles: dict, progress=None, shapes: list[Shape] | None = None,
                dtype: str = "float64", names: dict | None = None, dropout_p: str = "keep",
                strict: bool = False) -> LayerResult:
    """Check the pair on ``cases`` random cases (:func:`case_shapes`). ``pair_call(arrays,
    extra, dout, numerical, forward_only)`` runs the user's pair (in the worker, or here) and
    returns ``(out, grads, numerical)`` or raises :class:`SubjectError`; ``oracles`` maps a
    framework's name to its layer oracle (``torch_layer``, ``tf_layer``): the pair is compared
    with each. ``shapes`` replaces the random cases (a benchmark's fixed one).
    ``dtype="float32"``: the pair gets float32 arrays and is judged with the float32 row of
    the tolerance table against the frameworks on the same rounded inputs; finite differences
    of a float32 forward measure rounding, not a derivative (the fd-float32 pitfall), so they
    are off. ``names``, ``dropout_p`` and ``strict``: as :func:`check_layer_case` takes them."""
    t0 = time.perf_counter()
    shapes = shapes if shapes is not None else case_shapes(kind_name, cases, seed)
    done: list[LayerCase] = []
    stopped = ""
    for index, shape in enumerate(shapes):
        case, _ = check_layer_case(shape, pair_call, label=label, oracles=oracles, index=index,
                                   dtype=dtype, names=names, dropout_p=dropout_p, strict=strict)
        done.append(case)
        if progress:
            progress(index + 1, len(shapes), case)
        hung = [c.index for c in done[-STOP_AFTER_TIMEOUTS:] if c.error_kind == "timeout"]
        if len(hung) == STOP_AFTER_TIMEOUTS and index + 1 < len(shapes):
            stopped = (f"stopped after cases {' and '.join(map(str, hung))} timed out in a "
                       f"row: the other {len(shapes) - index - 1} case(s) were not run")
            break
    return LayerResult(kind=kind_name, subject=label, cases=tuple(done),
                       seconds=time.perf_counter() - t0, dtype=dtype, seed=seed, stopped=stopped,
                       strict=strict, dropout_p=dropout_p)


def in_process(kind_name: str, forward, backward):
    """``pair_call`` for a pair that runs in this process (it could not be imported again)."""
    kind = KINDS[kind_name]

    def pair_call(arrays, extra, dout, numerical, forward_only=False):
        try:
            out, grads, _ = call(kind, forward, backward, arrays, extra, dout, forward_only)
            num = (numerical_grads(kind, forward, arrays, extra, dout, how=numerical)
                   if numerical and not forward_only else {})
        except SubjectError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user's own bug: a verdict
            from crosscheck.engine.check import describe_exception

            raise describe_exception(exc) from exc
        return out, grads, num
    return pair_call
