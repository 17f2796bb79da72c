"""Diagnosis: what a failing network says, measured first, named only when reproduced.

``diagnose(result, rerun=None)`` looks at a failing :class:`~crosscheck.engine.check.CaseResult`.

- The subject is accused (the usual case): :func:`.compose.explain` searches for the fewest
  catalogued bugs, composed, that reproduce the subject's loss and every gradient (or its
  error) on the same network; ties are separated by re-running the subject on a network where
  they predict different answers. When nothing reproduces it, the single suspect is
  ``unknown`` ("no catalogued bug explains this") and its evidence is the measured facts
  (:mod:`.measure`): which tensors, exact factors in the network's words, zeros, transposes,
  rank 1, the first wrong layer, the loss, NaN at large logits, batch-1 behaviour.
- Our finite-difference oracle is outvoted by both autodiff oracles: the broken-fd part of the
  catalogue, by fingerprint and replay.

A pitfall whose preconditions are absent from the network (a ReLU bug without a ReLU, an
update-order bug in grads mode) is never named: it could not have produced what was seen.
A CNN-style network gets no catalogued bug (the catalogue is MLP code): one ``unknown``
suspect says so, with the failing tensors and where the backward first goes wrong
(``cnn_locate.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from crosscheck.diagnosis import CATALOGUE, trace
from crosscheck.diagnosis.cnn_locate import locate
from crosscheck.diagnosis.compose import (
    RTOL,
    another_batch,
    confirm_constants,
    explain,
    loss_alone,
    separate,
)
from crosscheck.diagnosis.conventions import matching_convention
from crosscheck.diagnosis.measure import exact_ratio, l2_story, same, shape_story, symbolic, tensor_facts
from crosscheck.diagnosis.variants import grads_from_step, update_order_step
from crosscheck.engine.check import CaseResult, SubjectError, run_subject
from crosscheck.engine.compare import element_bad
from crosscheck.engine.tolerances import pair_tolerance
from crosscheck.engine.triangulate import Party
from crosscheck.engine.trust import most_trusted
from crosscheck.reference.cnn_spec import is_cnn
from crosscheck.reference.losses import l2_grad, l2_penalty
from crosscheck.reference.ops import ACTIVATION_OPS
from crosscheck.reference.sampling import Case, random_case

__all__ = ["Fingerprint", "Suspect", "diagnose", "fingerprint"]

@dataclass(frozen=True)
class Suspect:
    """A catalogued bug, or a combination of them (``ids``; ``id`` joins them with " + "),
    that reproduces the failing network; ``unknown`` when none does, its evidence then the
    measured facts."""

    id: str
    title: str
    score: float
    evidence: str
    ids: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "ids": list(self.ids), "title": self.title,
                "score": round(float(self.score), 3), "evidence": self.evidence}


@dataclass(frozen=True)
class Fingerprint:
    """The measured shape of a finite-difference oracle's disagreement with autodiff (what the
    broken-fd rules read): a uniform ratio, zeros, float32-quantised or huge values, kinks."""

    oracle: str  # the trusted party
    wrong: tuple[str, ...]  # tensors outside tolerance
    ratio: float | None  # uniform ratio of every gradient (nan when not uniform)
    zero: bool  # the wrong tensors are identically zero
    float32_values: bool  # every value is exactly a float32
    integer_like: bool  # huge values, multiples of 1/2h, or zeros
    kink_only: bool  # all wrong coordinates touch a pre-activation within the step of a kink


def _party(result: CaseResult, name: str):
    return next((p for p in result.parties if p.name == name), None)


def _trusted(result: CaseResult, accused: str):
    return most_trusted(result.parties, excluding=(accused,))


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


def fingerprint(result: CaseResult, accused: str = "fd") -> Fingerprint:
    """The fingerprint of ``accused`` (our fd oracle) against the trusted autodiff oracle."""
    case = result.case
    names = list(case.spec.param_names())
    acc, ref = _party(result, accused), _trusted(result, accused)
    if acc is None or ref is None:
        return Fingerprint(ref.name if ref else "", (), None, False, False, False, False)
    tol = pair_tolerance(acc.kind, ref.kind)
    bad = {k: element_bad(acc.grads[k], ref.grads[k], tol, ref.loss) for k in names}
    wrong = [k for k in names if bad[k].any()]
    if any(not np.all(np.isfinite(acc.grads[k])) for k in names) or not np.isfinite(acc.loss):
        return Fingerprint(ref.name, tuple(wrong), None, False, False, False, False)
    # a finite difference carries O(h) noise on top of any scale error: a loose fit
    ratio = _ratio([acc.grads[k] for k in names], [ref.grads[k] for k in names], 1e-3) if wrong else None
    zero = bool(wrong) and all(np.all(acc.grads[k] == 0) for k in wrong)
    values = [acc.grads[k] for k in names]
    float32_values = all(np.array_equal(g.astype(np.float32).astype(np.float64), g) for g in values) \
        and any(np.any(g != 0) for g in values)
    scale = max(float(np.abs(ref.grads[k]).max(initial=0)) for k in names)
    biggest = max(float(np.abs(g).max(initial=0)) for g in values)
    integer_like = bool(wrong) and biggest > 1e3 * max(scale, 1e-3)
    kink_only = False
    ops = [ACTIVATION_OPS[a] for a in case.spec.activations]
    if wrong and any(op.kinks for op in ops):  # within the step of a kink of the layer's activation
        near = [np.any(op.near_kink(z, 2.0**-16), axis=0)
                for op, z in zip(ops, trace(case).z, strict=True)]
        kink_only = all(near[int(k[1:]) - 1][np.nonzero(bad[k])[-1]].all() for k in wrong)
    return Fingerprint(ref.name, tuple(wrong), ratio, zero, float32_values, integer_like, kink_only)


# ---- rules: fingerprint -> (0..1, evidence) per pitfall -------------------------------------

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
        out["fd-kink"] = (0.9, lead + "the disagreeing coordinates all sit where a pre-activation is "
                                      "within the step of a kink of its activation (ReLU's at 0): "
                                      "the difference crossed it")
    if not out:
        out["fd-step-size"] = (0.6, lead + "its values are off by noise, not by a pattern: a step "
                                           "far from the optimum (rounding or truncation)")
    return out


# ---- replay ---------------------------------------------------------------------------------

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
        return all(same(r.grads[k], accused.grads[k]) for k in case.spec.param_names())
    fn = _replay_fn(pid, lr)
    if fn is None:
        return False
    try:
        party = run_subject(fn, case)
    except SubjectError as exc:
        return bool(error) and error.endswith(str(exc))
    if error or accused is None:
        return False
    return same(party.loss, accused.loss) and all(
        same(party.grads[k], accused.grads[k]) for k in case.spec.param_names())


# ---- re-runs --------------------------------------------------------------------------------

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
        if not (same(ra.loss, rb.loss) and all(same(ra.grads[k], rb.grads[k])
                                                for k in cand.spec.param_names())):
            return cand
    return None


# ---- the entry point ------------------------------------------------------------------------

def diagnose(result: CaseResult, rerun: Callable[[Case], CaseResult] | None = None, *,
             lr: float | None = None, rerun_lr: Callable[[float], CaseResult] | None = None,
             limit: int = 5, replay: bool = True) -> list[Suspect]:
    """Explain a failing ``result``: the catalogued bugs that reproduce it, most likely first,
    or a single ``unknown`` suspect carrying the measured facts.

    ``rerun(case)`` re-checks the same subject on another network (to separate explanations
    that fit equally, and to measure batch-1 behaviour); ``lr`` marks an update-mode check
    (the step at ``lr``), ``rerun_lr(lr)`` re-checks it at another learning rate. A diagnosis
    that fails on odd values falls back to the facts it could measure, never a traceback.
    """
    if result.verdict == "pass":
        return []
    if is_cnn(result.spec):  # the catalogue's variants and re-runs are MLP code
        wrong = {v.tensor for v in result.failing_votes()}
        where = locate(result.spec, wrong) if not result.error else ""
        return [Suspect("unknown", _UNKNOWN, 0.0,
                        f"{_basic_facts(result)}; " + (f"{where}; " if where else "")
                        + "no bug named: the pitfall catalogue and its replays cover MLP "
                          "networks, and this is a CNN-style network")]
    accused = "fd" if result.blame == ["fd"] else result.subject
    try:
        if accused == "fd":
            return _diagnose_fd(result, _guarded(rerun), limit, replay)
        return _diagnose_subject(result, _guarded(rerun), lr, _guarded(rerun_lr), limit)
    except _RerunFailed:  # a re-run failed (its budget spent, its worker gone): do without
        if rerun is not None or rerun_lr is not None:
            return diagnose(result, lr=lr, limit=limit, replay=replay)
        raise
    except Exception as exc:  # noqa: BLE001 - odd values (np.matrix, subclasses) must not crash
        # a step failed: keep every fact that can still be measured without it
        try:
            facts = _error_facts(result) if result.error else _numeric_facts(result, None)
        except Exception:  # noqa: BLE001
            facts = _basic_facts(result)
        return [Suspect("unknown", _UNKNOWN, 0.0,
                        f"{facts}; the diagnosis could not measure more ({type(exc).__name__})")]


class _RerunFailed(Exception):
    """A re-run the caller passed in raised (its ``__cause__``): the diagnosis then runs again
    without re-runs, so that what one network shows is never lost."""


def _guarded(fn):
    if fn is None:
        return None

    def call(*args):
        try:
            return fn(*args)
        except Exception as exc:
            raise _RerunFailed from exc
    return call


_UNKNOWN = "no catalogued bug explains this"
# the evidence of a suspect that explains the loss alone (conclude says "in part")
LOSS_PART = ("replaying it reproduces the loss exactly, but no catalogued bug explains the "
             "gradients (the measured facts follow)")


def _suspect(ids: tuple[str, ...], score: float, evidence: list[str]) -> Suspect:
    titles = [CATALOGUE[i].title for i in ids]
    return Suspect(" + ".join(ids), "; ".join(titles), score, "; ".join(evidence), ids=ids)


def _diagnose_subject(result, rerun, lr, rerun_lr, limit) -> list[Suspect]:
    case = result.case
    if result.error_kind == "lr-dependent":
        # the adapter took the step at lr and 2 lr and the inferred gradients differed: a
        # plain SGD step never does that, a weight updated before it is used always does
        ev = ["the gradient inferred from the step changes with the learning rate, which a "
              "plain SGD step never does"]
        if rerun_lr is not None and lr:
            ev += _lr_halves(result, rerun_lr, lr)
        step = (result.error_data or {}).get("grads")
        if step is not None and lr:  # what else the step at lr shows, on top of the order
            step = {k: np.asarray(v, dtype=np.float64) for k, v in step.items()}  # lists from a worker
            inferred = Party(name=result.subject, kind="subject", loss=float("nan"), grads=step)
            more = [e for e in explain(case, inferred, mode_lr=lr, check_loss=False)
                    if "update-order" in e.ids]
            if len(more) == 1:
                return [_suspect(more[0].ids, 1.0, ev + list(more[0].words[1:]))]
        data = result.error_data or {}
        top = {f"W{case.spec.depth}", f"b{case.spec.depth}"}
        if data.get("shrink") or top & set(data.get("differ", ())):
            # the top layer's step is taken before any weight changes: a weight updated
            # before use leaves it alone, so the order is not what makes the step depend on lr
            return [Suspect("unknown", _UNKNOWN, 0.0,
                            "the step depends on lr in its top layer too, which a weight updated "
                            "before use cannot cause (the step's facts are above)")]
        return [_suspect(("update-order",), 1.0, ev)]
    error = result.error_data if result.error else None
    subject = None if result.error else _party(result, result.subject)
    if error is not None and error.get("kind") not in ("shape", "raised"):
        return [Suspect("unknown", _UNKNOWN, 0.0, _error_facts(result))]
    if subject is None and error is None:
        return [Suspect("unknown", _UNKNOWN, 0.0, _basic_facts(result))]
    rtol = RTOL[getattr(getattr(subject, "tolerance", None), "dtype", None) or "float64"]
    if subject is not None and lr is None:  # right under another reduction or L2 convention
        words = matching_convention(case, subject, rtol)
        if words:
            return [Suspect("unknown", "a convention, not a bug", 0.0, words)]
    found = explain(case, subject, error=error, mode_lr=lr, check_loss=lr is None, rtol=rtol)
    notes: list[str] = []
    if len(found) > 1 and rerun is not None:
        found, notes = separate(found, case, rerun)
    if found and rerun is not None:
        found, more = confirm_constants(found, case, rerun)
        notes += more
    if not found:
        facts = _error_facts(result) if error is not None else _numeric_facts(result, rerun)
        loss_wrong = any(v.tensor == "loss" and not v.ok for v in result.votes)
        part = loss_alone(case, subject, rtol) if loss_wrong and error is None and lr is None else ()
        if part:  # the loss's own bug is known, the gradients' is not
            return [_suspect(part[:1], 0.5, [f"{part[0]}: {LOSS_PART}", facts])]
        return [Suspect("unknown", _UNKNOWN, 0.0, facts)]
    if len(found) > 1:
        return [_tied(found, notes)]
    out = []
    for rank, e in enumerate(found[:limit]):
        ev = list(e.words)
        if not e.loss_explained:
            ev.append("the loss differs as well, and no catalogued bug explains the loss")
        ev += notes
        if rank == 0 and len(found) > 1:
            ev.append(f"{len(found) - 1} other combination(s) reproduce this network too")
        score = (1.0 if e.loss_explained else 0.9) if rank == 0 else 0.5
        out.append(_suspect(e.ids, score, ev))
    return out


def _tied(found, notes) -> Suspect:
    """Explanations the re-runs could not tell apart: name what they share, and only that."""
    common = tuple(i for i in found[0].ids if all(i in e.ids for e in found[1:]))
    either = " or ".join(" + ".join(e.ids) for e in found)
    ev = [f"either {either} reproduces this network, and no re-run could tell them apart"] + notes
    if common:
        return _suspect(common, 0.8, ev)
    return Suspect("unknown", _UNKNOWN + " alone", 0.0, "; ".join(ev))


def _lr_halves(result, rerun_lr, lr) -> list[str]:
    def err(r):
        acc, ref = _party(r, r.subject), _trusted(r, r.subject)
        if acc is None or ref is None:
            return float("nan")
        return max(float(np.abs(acc.grads[k] - ref.grads[k]).max()) for k in ref.grads)
    e1, e2 = err(result), err(rerun_lr(lr / 2))
    if e1 > 0 and np.isfinite(e2) and abs(e2 / e1 - 0.5) < 0.15:
        return [f"the error halves when lr halves ({e1:.3g} at lr {lr:g}, {e2:.3g} at "
                f"{lr / 2:g}): it is proportional to lr"]
    return []


def _basic_facts(result) -> str:
    wrong = [v.tensor for v in result.failing_votes()]
    if result.error:
        return f"the subject produced no gradients: {result.error}"
    return f"wrong: {', '.join(wrong) or 'nothing measurable'}"


def _error_facts(result) -> str:
    data, case = result.error_data or {}, result.case
    if data.get("kind") == "shape":
        story = shape_story(data["tensor"], tuple(data["actual"]), tuple(data["expected"]),
                            case.spec, case.batch)
        return f"the subject returned a wrong shape: {story}"
    return f"the subject produced no gradients: {result.error}"


def _numeric_facts(result, rerun) -> str:
    case, spec = result.case, result.case.spec
    acc, ref = _party(result, result.subject), _trusted(result, result.subject)
    if acc is None or ref is None:
        return _basic_facts(result)
    tol = pair_tolerance(acc.kind, ref.kind)
    names = list(spec.param_names())
    wrong = [k for k in names if element_bad(acc.grads[k], ref.grads[k], tol, ref.loss).any()]
    loss_wrong = not np.isfinite(acc.loss) or abs(acc.loss - ref.loss) > 1e-9 * max(1.0, abs(ref.loss))
    facts = []
    if wrong:
        l2 = {k: (spec.l2 / spec.l2_divisor(case.batch)) * case.params[k] if k.startswith("W")
              else np.zeros_like(case.params[k]) for k in names}
        facts.append("measured against " + ref.name + ": "
                     + "; ".join(tensor_facts(case, acc, ref, l2, wrong, trace(case))))
        right = [k for k in names if k not in wrong]
        if right:
            facts.append(f"{', '.join(right)} agree")
        layers = sorted({int(k[1:]) for k in wrong})
        if all(l2_story(k, acc.grads[k], ref.grads[k], l2[k]) for k in wrong):
            facts.append("every data gradient agrees: only L2 terms are wrong")
        elif layers and layers[-1] < spec.depth:
            facts.append(f"the wrong tensors start at layer {layers[-1]}: every layer above it agrees")
        elif layers:
            facts.append(f"already the output layer ({spec.activations[-1]}, layer {spec.depth}) is "
                         f"wrong: the error starts at the loss or the output activation")
    else:
        facts.append("every gradient agrees")
    if loss_wrong:
        if not np.isfinite(acc.loss):
            z = trace(case).z[-1]
            facts.append(f"the loss is {acc.loss} while the oracles' is finite "
                         f"({ref.loss:.6g}); the largest logit is {float(np.abs(z).max()):.4g}")
        else:
            c = exact_ratio(np.asarray(acc.loss), np.asarray(ref.loss))
            diff = acc.loss - ref.loss
            pen = l2_penalty([case.params[f"W{i}"] for i in range(1, spec.depth + 1)], spec.l2, case.batch)
            if pen > 0 and abs(diff + pen) <= 1e-9 * max(1.0, abs(ref.loss)):
                how = f"short by exactly the L2 penalty l2/(2 batch) sum W^2 = {pen:.6g}: it has none"
            elif c is not None:
                how = f"{symbolic(c, case.batch, spec.sizes[-1])} x"
            else:
                how = f"off by {diff:.3g}" + (f", {diff / abs(ref.loss):.2g} relative" if ref.loss else "")
            facts.append(f"the loss is {acc.loss:.10g} where the oracles say {ref.loss:.10g} ({how})")
    elif wrong:
        facts.append("the loss agrees")
    if any(not np.all(np.isfinite(acc.grads[k])) for k in names):
        z = trace(case).z[-1]
        facts.append(f"NaN/Inf in the gradients; the largest logit is {float(np.abs(z).max()):.4g}")
    if rerun is not None and wrong:
        facts += _factors_across_batches(result, acc, ref, wrong, rerun)
    if rerun is not None and case.batch > 1 and wrong:
        r = rerun(replace(case, X=case.X[:1].copy(), Y=case.Y[:1].copy()))
        facts.append("at batch 1 the same network passes: the bug needs batch > 1"
                     if r.verdict == "pass" else "at batch 1 it still fails")
    return "; ".join(facts)


def _factor(case, g, r, k) -> float | None:
    """The exact factor of ``k`` against the oracle: on its data term (the L2 term agreeing),
    else on the whole gradient."""
    p = l2_grad(case.params[k], case.spec.l2, case.batch) if k.startswith("W") else np.zeros_like(r)
    if np.shape(g) != np.shape(r):
        return None
    c = exact_ratio(g - p, r - p)
    return c if c is not None else exact_ratio(g, r)


def _batch_like(c: float, batch: int, n_out: int) -> bool:
    """Could ``c`` be a power of the batch size (times n_out and 2 powers) on this network?"""
    return any(abs(abs(c) - float(batch) ** bp * float(n_out) ** op * 2.0 ** tp) <= 1e-6 * abs(c)
               for bp in (1, -1, 2, -2) for op in (0, 1, -1) for tp in (0, 1, -1, 2, -2))


def _factors_across_batches(result, acc, ref, wrong, rerun) -> list[str]:
    """Re-measure each exact factor at another batch size: a factor that follows the batch
    size is a sum where a mean belongs (or the reverse), never a stray constant."""
    case = result.case
    first = {k: _factor(case, acc.grads[k], ref.grads[k], k) for k in wrong}
    first = {k: c for k, c in first.items() if c is not None and abs(c - 1.0) > 1e-9}
    if not first:
        return []
    cand = another_batch(case)
    r = rerun(cand)
    acc2, ref2 = _party(r, r.subject), _trusted(r, r.subject)
    if r.error or acc2 is None or ref2 is None:
        return []
    b, b2, n_out = case.batch, cand.batch, case.spec.sizes[-1]
    out = []
    for k, c in first.items():
        c2 = _factor(cand, acc2.grads[k], ref2.grads[k], k)
        if c2 is None:
            continue
        if abs(c2 - c) <= 1e-6 * abs(c):
            if _batch_like(c, b, n_out):  # say so where the first batch left it open
                out.append(f"{k} keeps the factor {symbolic(c, b2, n_out)} at batch {b2}: a "
                           "constant, not the batch size")
            continue
        power = np.log(abs(c2 / c)) / np.log(b2 / b) if c2 / c > 0 else 0.0
        p = round(power)
        if p == 0 or abs(power - p) > 1e-6:
            out.append(f"{k}'s factor changes with the batch size ({c:.6g} at batch {b}, "
                       f"{c2:.6g} at batch {b2}): batch-dependent, not a constant")
            continue
        expr = {1: "batch", -1: "1/batch"}.get(p, f"batch^{p}")
        rest = c / float(b) ** p
        lead = "" if abs(rest - 1.0) <= 1e-6 else f"{symbolic(rest, b, n_out)} x "
        how = "a sum over the batch where a mean belongs" if p > 0 else \
            "a mean over the batch where a sum belongs"
        out.append(f"{k}'s factor follows the batch size, {lead}{expr} ({c:.6g} at batch {b}, "
                   f"{c2:.6g} at batch {b2}): batch-dependent, {how}")
    return out


def _diagnose_fd(result, rerun, limit, replay) -> list[Suspect]:
    """Our own finite-difference oracle is outvoted by autodiff: the broken-fd catalogue."""
    f = fingerprint(result, "fd")
    case = result.case
    acc = _party(result, "fd") if result.parties else None
    rules = _fd_rules(f)
    scores: dict[str, float] = {}
    evidence: dict[str, list[str]] = {}
    replayed = []
    for pid, p in CATALOGUE.items():
        if p.target != "fd":
            continue
        s, words = rules.get(pid, (0.0, ""))
        score, ev = 0.4 * s, ([words] if words else [])
        if replay and _replays(pid, case, acc, result.error, None):
            score += 0.6
            replayed.append(pid)
            ev.append("replaying this bug on the same network reproduces every numerical gradient")
        if score > 0:
            scores[pid], evidence[pid] = score, ev
    pair = sorted(replayed, key=lambda k: -scores[k])[:2] if len(replayed) >= 2 else None
    if pair and rerun is not None:
        a, b = pair
        cand = _separating_case(a, b, case, None)
        if cand is not None:
            r = rerun(cand)
            other_acc = _party(r, "fd") if r.parties else None
            for pid, other in ((a, b), (b, a)):
                if _replays(pid, cand, other_acc, r.error, None):
                    scores[pid] += 0.05
                    evidence[pid].append(f"re-run on {cand.spec.describe()} (batch {cand.batch}), "
                                         f"where it and {other} predict different gradients: it "
                                         "still matches")
                else:
                    scores[pid] -= 0.5
    ranked = [k for k in sorted(scores, key=lambda k: -scores[k]) if scores[k] > 0]
    if not ranked or scores[ranked[0]] < 0.2:
        return [Suspect("unknown", _UNKNOWN, 0.0, "the finite-difference oracle disagrees with "
                        "both autodiff oracles in no catalogued way")]
    return [Suspect(pid, CATALOGUE[pid].title, min(1.0, scores[pid]), "; ".join(evidence[pid]),
                    ids=(pid,)) for pid in ranked[:limit]]
