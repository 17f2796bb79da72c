"""Diagnosis: measure the shape of a discrepancy and name the catalogue pitfalls that fit.

``diagnose(result, rerun=None)`` looks at a failing :class:`~crosscheck.engine.check.CaseResult`:

1. Who is accused: the subject, or the finite-difference oracle (outvoted by autodiff).
2. Fingerprints, measured against the trusted answer (an autodiff oracle): a uniform ratio and
   its value (after taking the L2 term apart), a sign flip, which tensors and layers are wrong,
   the activation right above the wrong layers, exact zeros, a transposed match, rank-1
   weights, constant bias vectors, NaN, a loss-only discrepancy, a shape error, and where the
   wrong units sit relative to the ReLU pre-activations.
3. Replay: each catalogue bug of the right kind is re-enacted on the same network; if it
   reproduces the accused's loss and every gradient, that is strong evidence.
4. Re-runs (when ``rerun`` is given): the subject is checked again on chosen networks, at
   batch 1, at l2 = 0, and on a network where two tied hypotheses predict different answers.

Scores are in [0, 1]: 0.6 for an exact replay plus 0.4 for the fingerprint that names the bug,
less when a re-run contradicts it. When nothing fits, a single ``unknown`` suspect carries
the measured shape in words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from crosscheck.diagnosis import CATALOGUE, trace
from crosscheck.diagnosis.variants import grads_from_step, update_order_step
from crosscheck.engine.check import CaseResult, SubjectError, run_subject
from crosscheck.engine.compare import element_bad
from crosscheck.engine.tolerances import pair_tolerance
from crosscheck.reference.sampling import Case, random_batch, random_case

__all__ = ["Fingerprint", "Suspect", "diagnose", "fingerprint"]

_REPLAY_RTOL = 1e-8


@dataclass(frozen=True)
class Suspect:
    id: str
    title: str
    score: float
    evidence: str

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "score": round(float(self.score), 3),
                "evidence": self.evidence}


@dataclass(frozen=True)
class Fingerprint:
    """The measured shape of one discrepancy (``accused`` vs the trusted ``oracle``)."""

    accused: str
    oracle: str
    wrong: tuple[str, ...]  # tensors outside tolerance ("loss" included)
    ratio: float | None  # uniform ratio of the data gradient (nan when not uniform)
    bias_ratio: float | None  # uniform ratio over the biases when only biases are wrong
    nonfinite: bool
    zero: bool  # the accused's wrong tensors are identically zero
    transposed: tuple[str, ...]  # weights equal to the oracle's transposed
    rank1: bool  # every wrong weight has rank 1 while the oracle's does not
    constant_bias: bool  # every wrong bias holds one value repeated
    reg_bias: bool  # wrong biases are off by exactly l2 / batch x b
    top_layer: int  # highest layer with a wrong tensor (0: none)
    top_activation: str
    relu_zero_units: bool  # the wrong units of the top layer are exactly the z == 0 ones
    float32_values: bool  # every value is exactly a float32 (fd accused)
    integer_like: bool  # huge values, multiples of 1/2h, or zeros (fd accused)
    kink_only: bool  # all wrong fd coordinates touch a ReLU input within the step of 0
    error: str
    batch: int
    n: int  # batch x n_out


def _party(result: CaseResult, name: str):
    return next((p for p in result.parties if p.name == name), None)


def _trusted(result: CaseResult, accused: str):
    for kind in ("autodiff", "fd", "subject"):
        for p in result.parties:
            if p.kind == kind and p.name != accused:
                return p
    return None


def _ratio(num: list, den: list, rel: float = 1e-6) -> float:
    """Least-squares c in num ~ c * den, nan when the fit leaves a residual."""
    a = np.concatenate([np.ravel(x) for x in num]) if num else np.zeros(0)
    b = np.concatenate([np.ravel(x) for x in den]) if den else np.zeros(0)
    bb = float(b @ b)
    if not a.size or bb == 0 or not np.all(np.isfinite(a)):
        return float("nan")
    c = float(a @ b) / bb
    resid = np.linalg.norm(a - c * b)
    return c if resid <= rel * max(np.linalg.norm(a), np.linalg.norm(c * b), 1e-300) else float("nan")


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def fingerprint(result: CaseResult, accused: str) -> Fingerprint:
    case = result.case
    spec, batch = case.spec, case.batch
    acc, ref = _party(result, accused), _trusted(result, accused)
    empty = Fingerprint(accused, ref.name if ref else "", (), None, None, False, False, (), False,
                        False, False, 0, "", False, False, False, False, result.error, batch,
                        case.Y.size)
    if acc is None or ref is None:
        return empty
    tol = pair_tolerance(acc.kind, ref.kind)
    names = list(spec.param_names())
    bad = {k: element_bad(acc.grads[k], ref.grads[k], tol, ref.loss) for k in names}
    wrong = [k for k in names if bad[k].any()]
    loss_wrong = not np.isfinite(acc.loss) or abs(acc.loss - ref.loss) > 1e-8 * max(1.0, abs(ref.loss))
    nonfinite = any(not np.all(np.isfinite(acc.grads[k])) for k in names) or not np.isfinite(acc.loss)
    if nonfinite:
        return replace(empty, wrong=tuple((["loss"] if loss_wrong else []) + wrong), nonfinite=True)
    # the subject's L2 term is taken apart from its data gradient (bugs scale the data term);
    # a broken fd scales its whole difference, penalty included
    l2 = {k: (spec.l2 / batch) * case.params[k] if k.startswith("W") and accused != "fd"
          else np.zeros_like(case.params[k]) for k in names}
    data = [ref.grads[k] - l2[k] for k in names]
    # a finite difference carries O(h) noise on top of any scale error: a looser fit
    fit = 1e-3 if accused == "fd" else 1e-6
    ratio = _ratio([acc.grads[k] - l2[k] for k in names], data, fit) if wrong else None
    biases_only = bool(wrong) and all(k.startswith("b") for k in wrong)
    bias_ratio = _ratio([acc.grads[k] for k in wrong], [ref.grads[k] for k in wrong]) if biases_only else None
    zero = bool(wrong) and all(np.all(acc.grads[k] == 0) for k in wrong)
    transposed = tuple(
        k for k in wrong if k.startswith("W") and acc.grads[k].shape[0] == acc.grads[k].shape[1]
        # the data term alone transposed (dW = dz.T @ a, then + lambda W), or the whole
        # gradient transposed (the penalty included)
        and any(np.allclose(g, r.T, rtol=1e-6, atol=1e-12)
                for g, r in ((acc.grads[k] - l2[k], ref.grads[k] - l2[k]), (acc.grads[k], ref.grads[k]))))
    wrong_w = [k for k in wrong if k.startswith("W")]

    def rank(m):
        return int(np.linalg.matrix_rank(m, tol=1e-9 * max(np.abs(m).max(initial=0), 1e-300)))
    rank1 = bool(wrong_w) and all(rank(acc.grads[k] - l2[k]) <= 1 for k in wrong_w) \
        and any(rank(ref.grads[k] - l2[k]) > 1 for k in wrong_w)
    wrong_b = [k for k in wrong if k.startswith("b")]
    constant_bias = bool(wrong_b) and all(acc.grads[k].size > 1 and np.ptp(acc.grads[k]) <= 1e-12 *
                                          max(1.0, np.abs(acc.grads[k]).max()) for k in wrong_b)
    reg_bias = biases_only and spec.l2 > 0 and all(
        np.allclose(acc.grads[k] - ref.grads[k], spec.l2 / batch * case.params[k], rtol=1e-6, atol=1e-12)
        for k in wrong_b)
    layers = [int(k[1:]) for k in wrong]
    top = max(layers, default=0)
    top_act = spec.activations[top - 1] if top else ""
    relu_zero_units = False
    if top and top_act == "relu":
        z = trace(case).z[top - 1]
        units = bad.get(f"b{top}", np.zeros(0, bool))
        tie_units = np.any(z == 0, axis=0)
        relu_zero_units = bool(units.any()) and bool(np.all(tie_units[units]))
    fd_vals = [acc.grads[k] for k in names]
    float32_values = all(np.array_equal(g.astype(np.float32).astype(np.float64), g) for g in fd_vals) \
        and any(np.any(g != 0) for g in fd_vals)
    scale = max(float(np.abs(ref.grads[k]).max(initial=0)) for k in names)
    biggest = max(float(np.abs(g).max(initial=0)) for g in fd_vals)
    integer_like = bool(wrong) and biggest > 1e3 * max(scale, 1e-3)
    kink_only = False
    if wrong and any(a == "relu" for a in spec.activations):
        t = trace(case)
        near = [np.any(np.abs(z) < 2.0**-16, axis=0) for z in t.z]
        kink_only = all(near[int(k[1:]) - 1][np.nonzero(bad[k])[-1]].all() for k in wrong)
    return Fingerprint(
        accused=accused, oracle=ref.name, wrong=tuple((["loss"] if loss_wrong else []) + wrong),
        ratio=ratio, bias_ratio=bias_ratio, nonfinite=nonfinite, zero=zero, transposed=transposed,
        rank1=rank1, constant_bias=constant_bias, reg_bias=reg_bias, top_layer=top,
        top_activation=top_act, relu_zero_units=relu_zero_units, float32_values=float32_values,
        integer_like=integer_like, kink_only=kink_only, error=result.error, batch=batch,
        n=int(case.Y.size))


# ---- rules: fingerprint -> (0..1, evidence) per pitfall -------------------------------------

def _close(x, y, rel=1e-6) -> bool:
    return x is not None and np.isfinite(x) and abs(x - y) <= rel * max(abs(y), 1e-300)


def _layers_text(f: Fingerprint) -> str:
    wrong = [k for k in f.wrong if k != "loss"]
    return ", ".join(wrong)


def _rules(f: Fingerprint, case: Case) -> dict[str, tuple[float, str]]:
    out: dict[str, tuple[float, str]] = {}
    o = f.oracle
    if f.error:
        err = f.error
        if "(transposed?)" in err:
            out["transposed-weight"] = (1.0, f"the subject's weight gradient has the transposed shape: {err}")
        got = re.search(r"has shape \((\d+), (\d+)\), expected \((\d+), (\d+)\)", err)
        if got:
            a, b, c, d = (int(x) for x in got.groups())
            if a == b == max(c, d) and min(c, d) == 1:
                out["transposed-weight"] = (0.9, f"a ({c}, {d}) weight gradient came back ({a}, {b}): "
                                                 f"a ({d}, {c}) transpose broadcast against the "
                                                 f"({c}, {d}) L2 term ({err})")
        n_in = case.spec.sizes[0]
        first_is_input = (got is not None and int(got.group(1)) == n_in != int(got.group(3))) or (
            got is None and f"({n_in}," in err)
        if "shape" in err and first_is_input and "(transposed?)" not in err:
            out["hidden-uses-input"] = (0.9, "a weight gradient's first dimension is the network "
                                             f"input width {case.spec.sizes[0]}: it was built from X, "
                                             f"not from the layer's input ({err})")
        shapes = re.findall(r"\((\d+),(\d+)\)", err)
        if len(shapes) == 2 and shapes[0] == shapes[1][::-1] and shapes[0] != shapes[1]:
            out["transposed-weight"] = (1.0, "a weight gradient of shape "
                                             f"({', '.join(shapes[0])}) meets one of the transposed "
                                             f"shape ({', '.join(shapes[1])}): it is built in the "
                                             f"wrong orientation ({err})")
        if "mutated its input" in err:
            out["inplace-dout"] = (0.8, f"the subject wrote into an array it was given ({err}): an "
                                        "in-place update of a buffer someone else still uses")
        return out
    if f.nonfinite:
        z = trace(case).z[-1]
        if case.spec.loss == "softmax_cross_entropy" and (z.max() > 709.78 or z.min() < -745.13):
            out["softmax-unstable"] = (1.0, f"the subject returns NaN/Inf and the logits reach "
                                            f"{_fmt(float(np.abs(z).max()))}, past where exp overflows "
                                            "(709): softmax without the max shift")
        else:
            out["metric-nan-passes"] = (1.0, "the subject returns NaN/Inf although every value of the "
                                             "oracles is finite; a check `err > tol` would let it pass")
        return out
    if f.accused == "fd":
        return _fd_rules(f)
    wrong = [k for k in f.wrong if k != "loss"]
    if f.wrong == ("loss",):
        out["inplace-dout"] = (0.8, "the loss disagrees while every gradient agrees: a buffer the "
                                    "loss is read from was overwritten during the backward pass")
    if "loss" in f.wrong and wrong and case.spec.loss != "mse":
        out["loss-raw-labels"] = (0.5, f"the loss itself differs from {o}'s ({', '.join(f.wrong)}) "
                                       "on a classification loss: the targets were not used as given")
    if f.ratio is not None and np.isfinite(f.ratio) and not _close(f.ratio, 1.0):
        r = f.ratio
        if _close(r, -1.0):
            out["sign-flip"] = (1.0, f"every data gradient is -1 x {o}'s: the error term has the wrong sign")
        if _close(r, f.batch):
            out["batch-scale"] = (1.0, f"every data gradient is {_fmt(r)} x {o}'s = the batch size "
                                       f"{f.batch}: the loss is averaged but the gradient summed")
        if _close(r, f.n / 2) and case.spec.loss == "mse":
            out["mse-missing-2-over-n"] = (1.0, f"every data gradient is {_fmt(r)} x {o}'s = n/2 with "
                                                f"n = batch x n_out = {f.n}: the 2/n of the mse "
                                                "gradient is missing")
        if _close(r, 1.0 / f.batch) and f.bias_ratio is None:
            out["batch-scale"] = (0.8, f"every gradient is {_fmt(r)} x {o}'s = 1/batch: divided by "
                                       "the batch twice")
    if f.bias_ratio is not None and _close(f.bias_ratio, 1.0 / f.batch):
        out["bias-mean-vs-sum"] = (1.0, f"only the biases are wrong ({_layers_text(f)}), each "
                                        f"{_fmt(f.bias_ratio)} x {o}'s = 1/batch: db averages over "
                                        "the batch while dW sums")
    if f.reg_bias:
        out["reg-on-bias"] = (1.0, f"only the biases are wrong ({_layers_text(f)}), each off by exactly "
                                   f"l2/batch x b = {_fmt(case.spec.l2)}/{f.batch} x b: the L2 penalty "
                                   "covers the biases")
    if f.constant_bias and all(k.startswith("b") for k in wrong):
        out["bias-reduce-axis"] = (1.0, f"only the biases are wrong and every unit of {_layers_text(f)} "
                                        "holds the same value: the bias gradient was summed over "
                                        "every axis, not over the batch")
    if f.rank1 and all(k.startswith("W") for k in wrong):
        out["mean-before-outer"] = (1.0, f"the biases agree but every wrong weight gradient "
                                         f"({_layers_text(f)}) has rank 1: inputs and deltas were "
                                         "averaged before the outer product")
    if f.transposed:
        out["transposed-weight"] = (1.0, f"{', '.join(f.transposed)} equal {o}'s transposed: the "
                                         "weight gradient is built in the wrong orientation")
    if wrong and all(k.startswith("W") and k != "W1" for k in wrong):
        out["hidden-uses-input"] = (0.6, f"only weights above the first layer are wrong "
                                         f"({_layers_text(f)}) while W1 and every bias agree: a "
                                         "hidden layer's dW uses the wrong layer input")
    if f.top_layer and wrong and any(k.startswith("b") for k in wrong):
        above = "" if f.top_layer == case.spec.depth else \
            f"the layers above layer {f.top_layer} agree; "
        where = (f"{above}layer {f.top_layer} and below are wrong ({_layers_text(f)}), and layer "
                 f"{f.top_layer} is a {f.top_activation}")
        act = f.top_activation
        if act == "sigmoid":
            out["sigmoid-deriv-input"] = (0.7, f"{where}: its derivative is fed the wrong input "
                                               "(z instead of a = sigmoid(z))")
        if act == "tanh":
            out["tanh-deriv-input"] = (0.7, f"{where}: its derivative is fed z instead of a = tanh(z)")
        if act == "relu":
            if f.relu_zero_units:
                out["relu-tie-convention"] = (0.8, f"{where}, and the wrong units are exactly those "
                                                   "with a pre-activation of 0: the derivative at the "
                                                   "tie is taken as 1")
            else:
                out["relu-deriv-on-z"] = (0.6, f"{where}: inactive units (z < 0) pass a gradient")
        if act != "identity":
            out["upstream-ignored"] = (0.4, f"{where}: its backward may drop the upstream gradient")
        if case.spec.depth >= 2 and f.top_layer < case.spec.depth:
            out["update-order"] = (0.3, f"the top layer agrees and {_layers_text(f)} below it are "
                                        "wrong: in update mode, a weight updated before it is used")
    return out


def _fd_rules(f: Fingerprint) -> dict[str, tuple[float, str]]:
    out = {}
    o = f.oracle
    lead = ("the finite-difference oracle is the lone dissenter (torch and tensorflow agree with "
            "the subject): ")
    if f.zero:
        out["fd-output-alias"] = (1.0, lead + "every numerical gradient is exactly 0, as when f(x+h) "
                                              "and f(x-h) end up in one reused buffer")
    if f.ratio is not None and np.isfinite(f.ratio):
        if abs(f.ratio - 0.5) < 0.01:
            out["fd-alias-no-copy"] = (1.0, lead + f"every numerical gradient is {_fmt(f.ratio)} x "
                                                   f"{o}'s, about 1/2: thetaplus and thetaminus alias")
        if abs(f.ratio - 1e-3) < 1e-5:
            out["fd-eps-mismatch"] = (1.0, lead + f"every numerical gradient is {_fmt(f.ratio)} x "
                                                  f"{o}'s = eps/EPSILON: perturbed by one step, "
                                                  "divided by another")
    if f.integer_like:
        out["fd-int-dtype"] = (0.9, lead + "numerical gradients are 0 or huge (about k/2h): "
                                           "writes of theta +/- h into an integer array truncate")
    if f.float32_values and not f.zero:
        out["fd-float32"] = (0.9, lead + "every numerical value is exactly representable in float32 "
                                         "and they are quantised: the differences ran in single precision")
    if f.kink_only:
        out["fd-kink"] = (0.9, lead + "the disagreeing coordinates all sit where a ReLU input is within "
                                      "the step of 0: the difference crossed a kink")
    if not out:
        out["fd-step-size"] = (0.6, lead + "its values are off by noise, not by a pattern: a step "
                                           "far from the optimum (rounding or truncation)")
    return out


# ---- replay ---------------------------------------------------------------------------------

def _same(a, b) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    if not np.array_equal(np.isfinite(a), np.isfinite(b)):
        return False
    fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
    return bool(np.all(np.abs(fa - fb) <= _REPLAY_RTOL * max(np.abs(fb).max(initial=0), 1e-300) + 1e-14))


def _replay_fn(pid: str, lr: float | None):
    """A loss_and_grads that re-enacts ``pid`` (for fd ids: the broken oracle's answer)."""
    p = CATALOGUE[pid]
    if p.target == "update":
        return grads_from_step(update_order_step, lr) if lr else None
    if p.target == "fd":
        return lambda params, X, Y, spec: p.fd_oracle().loss_and_grads(params, X, Y, spec)
    return p.loss_and_grads


def _replays(pid: str, case: Case, accused, error: str, lr: float | None) -> bool:
    """Does re-enacting ``pid`` on ``case`` reproduce what the accused said?"""
    p = CATALOGUE[pid]
    if p.target == "fd":
        if accused is None:
            return False
        r = p.fd_oracle().evaluate(case.params, case.X, case.Y, case.spec)
        return all(_same(r.grads[k], accused.grads[k]) for k in case.spec.param_names())
    fn = _replay_fn(pid, lr)
    if fn is None:
        return False
    try:
        party = run_subject(fn, case)
    except SubjectError as exc:
        return bool(error) and error.endswith(str(exc))
    if error or accused is None:
        return False
    return _same(party.loss, accused.loss) and all(
        _same(party.grads[k], accused.grads[k]) for k in case.spec.param_names())


# ---- re-runs --------------------------------------------------------------------------------

def _at_batch_1(case: Case) -> Case:
    return replace(case, X=case.X[:1].copy(), Y=case.Y[:1].copy())


def _at_l2_0(case: Case) -> Case:
    return replace(case, spec=replace(case.spec, l2=0.0))


def _separating_case(a: str, b: str, case: Case, lr, tries: int = 30) -> Case | None:
    """A network on which bugs a and b give different answers (drawn from a fixed seed)."""
    rng = np.random.default_rng(20261123)
    fa, fb = _replay_fn(a, lr), _replay_fn(b, lr)
    if fa is None or fb is None:
        return None
    for i in range(tries):
        options = {"sizes": None, "max_width": 6, "max_depth": 3, "scale": 1.0, "max_batch": 6}
        cand = CATALOGUE[a].demo_case(rng) if i % 2 == 0 else random_case(rng, **options)
        try:
            ra, rb = run_subject(fa, cand), run_subject(fb, cand)
        except SubjectError:
            continue
        if not (_same(ra.loss, rb.loss) and all(_same(ra.grads[k], rb.grads[k])
                                                for k in cand.spec.param_names())):
            return cand
    return None


# ---- the entry point ------------------------------------------------------------------------

def diagnose(result: CaseResult, rerun: Callable[[Case], CaseResult] | None = None, *,
             lr: float | None = None, rerun_lr: Callable[[float], CaseResult] | None = None,
             limit: int = 5, replay: bool = True) -> list[Suspect]:
    """Rank catalogue pitfalls for a failing ``result``, most likely first.

    ``rerun(case)`` re-checks the same subject on another network and returns its
    CaseResult; ``lr`` is the learning rate of an update-mode check and ``rerun_lr(lr)``
    re-checks the step at another learning rate. Both are optional. ``replay=False`` ranks by
    the measured fingerprints alone (how well the words work on code that is not a replica).
    """
    if result.verdict == "pass":
        return []
    blame = result.blame
    accused = "fd" if blame == ["fd"] else result.subject
    f = fingerprint(result, accused)
    case = result.case
    acc_party = _party(result, accused) if result.parties else None
    rules = _rules(f, case)
    if lr and "update-order" in rules:  # an update-mode check: the step order is a prime suspect
        rules["update-order"] = (0.8, rules["update-order"][1])
    kind = "fd" if accused == "fd" else None
    candidates = [pid for pid, p in CATALOGUE.items()
                  if (p.target == "fd") == (kind == "fd")]
    scores: dict[str, float] = {}
    evidence: dict[str, list[str]] = {}
    replayed: list[str] = []
    for pid in candidates:
        s, words = rules.get(pid, (0.0, ""))
        score = 0.4 * s
        ev = [words] if words else []
        if replay and _replays(pid, case, acc_party, result.error, lr):
            score += 0.6
            replayed.append(pid)
            ev.append("replaying this bug on the same network reproduces "
                      + ("the same error" if result.error else "the loss and every gradient"))
        if score > 0:
            scores[pid], evidence[pid] = score, ev
    if rerun is not None:
        _rerun_checks(result, rerun, scores, evidence, lr, accused, replayed)
    if rerun_lr is not None and lr and "update-order" in scores:
        _lr_check(result, rerun_lr, lr, scores, evidence)
    if getattr(result, "error_kind", "") == "lr-dependent":
        # the update-mode adapter took the step at lr and 2 lr and the inferred gradients
        # differed: a plain SGD step never does that, a weight updated before use always does
        scores["update-order"] = 1.0
        evidence["update-order"] = ["the gradient inferred from the step changes with the "
                                    "learning rate, which a plain SGD step never does"]
    ranked = [k for k in sorted(scores, key=lambda k: -scores[k]) if scores[k] > 0]
    if not ranked or scores[ranked[0]] < 0.2:
        return [Suspect("unknown", "no catalogued pitfall fits", 0.0, _describe(f))]
    return [Suspect(pid, CATALOGUE[pid].title, min(1.0, scores[pid]), "; ".join(evidence[pid]))
            for pid in ranked[:limit]]


def _rerun_checks(result, rerun, scores, evidence, lr, accused, replayed) -> None:
    case = result.case
    top = sorted(scores, key=lambda k: -scores[k])
    if accused == "fd":
        top = []  # batch and l2 checks are about the subject
    batch_family = {"batch-scale", "bias-mean-vs-sum", "mean-before-outer"}
    if case.batch > 1 and batch_family & set(top[:2]):
        r = rerun(_at_batch_1(case))
        for pid in batch_family & set(scores):
            if r.verdict == "pass":
                evidence[pid].append("the same network at batch 1 passes: the bug needs batch > 1")
            else:
                scores[pid] -= 0.3
    if case.spec.l2 > 0 and "reg-on-bias" in top[:2]:
        r = rerun(_at_l2_0(case))
        if r.verdict == "pass":
            evidence["reg-on-bias"].append("with l2 = 0 the same network passes")
        else:
            scores["reg-on-bias"] -= 0.3
    if "upstream-ignored" in top[:3] and accused != "fd":
        _upstream_check(result, rerun, scores, evidence, accused)
    # two hypotheses that explain this network equally: check a network that separates them
    top = sorted(scores, key=lambda k: -scores[k])
    pair = None
    if len(replayed) >= 2:  # two bugs reproduce this network exactly
        pair = sorted(replayed, key=lambda k: -scores[k])[:2]
    elif len(top) >= 2 and scores[top[0]] - scores[top[1]] < 0.1:
        pair = top[:2]
    if pair:
        a, b = pair
        cand = _separating_case(a, b, case, lr)
        if cand is not None:
            r = rerun(cand)
            acc = _party(r, accused if accused == "fd" else r.subject) if r.parties else None
            for pid, other in ((a, b), (b, a)):
                if _replays(pid, cand, acc, r.error, lr):
                    scores[pid] += 0.05
                    evidence[pid].append(f"re-run on {cand.spec.describe()} (batch {cand.batch}), "
                                         f"where it and {other} predict different gradients: it "
                                         "still matches")
                else:
                    scores[pid] -= 0.5


def _upstream_check(result, rerun, scores, evidence, accused) -> None:
    """Re-run with other targets Y: a backward that ignores its upstream gradient gives the
    same gradient at the highest wrong layer whatever the loss says."""
    case = result.case
    f = fingerprint(result, accused)
    if not f.top_layer:
        return
    _, Y2 = random_batch(case.spec, case.batch, np.random.default_rng(20261124))
    r = rerun(replace(case, Y=Y2))
    a1, a2 = _party(result, accused), _party(r, r.subject) if r.parties else None
    if a1 is None or a2 is None:
        return
    name = f"b{f.top_layer}"
    if np.allclose(a1.grads[name], a2.grads[name], rtol=1e-12, atol=0):
        scores["upstream-ignored"] += 0.5
        evidence["upstream-ignored"].append(
            f"with other targets Y the subject's {name} gradient is unchanged: layer "
            f"{f.top_layer}'s backward does not use the gradient coming from the loss")
    else:
        scores["upstream-ignored"] -= 0.2


def _lr_check(result, rerun_lr, lr, scores, evidence) -> None:
    def err(r):
        acc, ref = _party(r, r.subject), _trusted(r, r.subject)
        if acc is None or ref is None:
            return float("nan")
        return max(float(np.abs(acc.grads[k] - ref.grads[k]).max()) for k in ref.grads)
    e1, e2 = err(result), err(rerun_lr(lr / 2))
    if e1 > 0 and np.isfinite(e2) and abs(e2 / e1 - 0.5) < 0.15:
        scores["update-order"] += 0.1
        evidence["update-order"].append(f"the error halves when lr halves ({e1:.3g} at lr {lr:g}, "
                                        f"{e2:.3g} at {lr / 2:g}): it is proportional to lr")


def _describe(f: Fingerprint) -> str:
    if f.error:
        return f"the subject produced no gradients: {f.error}"
    parts = [f"wrong: {', '.join(f.wrong) or 'nothing measurable'}"]
    if f.ratio is not None and np.isfinite(f.ratio):
        parts.append(f"uniform ratio {_fmt(f.ratio)} x {f.oracle}'s")
    else:
        parts.append("no uniform ratio")
    if f.top_layer:
        parts.append(f"highest wrong layer {f.top_layer} ({f.top_activation})")
    if f.zero:
        parts.append("identically zero")
    return "unrecognised pattern: " + "; ".join(parts)
