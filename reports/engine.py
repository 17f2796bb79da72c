"""Check one case: run the subject and every oracle on it, then triangulate."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from reference.sampling import Case

from .triangulate import Party, TensorVote, disagreeing_elements, triangulate

__all__ = ["CaseResult", "SubjectError", "check_case", "run_subject"]


class SubjectError(Exception):
    """The implementation under test did not produce a usable (loss, grads)."""


@dataclass
class CaseResult:
    index: int
    case_seed: list
    case: Case
    subject: str
    oracles: list
    votes: list = field(default_factory=list)
    error: str = ""  # why the subject (or an oracle) produced nothing to compare
    error_party: str = ""
    seconds: dict = field(default_factory=dict)
    fd_refined: int = 0  # finite-difference coordinates re-measured by Richardson extrapolation
    # catalogue pitfalls, most likely first: objects with id, title, score, evidence, to_dict()
    suspects: list = field(default_factory=list)
    # every party's answer (subject first, then the oracles, fd after refinement): the
    # diagnosis measures the shape of a discrepancy from these
    parties: list = field(default_factory=list)

    @property
    def spec(self):
        return self.case.spec

    @property
    def verdict(self) -> str:
        return "fail" if self.error or any(not v.ok for v in self.votes) else "pass"

    @property
    def blame(self) -> list[str]:
        """Who disagrees with the majority, over all tensors ("no-majority" when undecided)."""
        if self.error:
            return [self.error_party]
        names: list[str] = []
        for v in self.votes:
            names += [n for n in v.dissenters if n not in names]
        if not names and any(v.status == "no-majority" for v in self.votes):
            names = ["no-majority"]
        return names

    @property
    def kinks(self) -> int:
        diffs = [d for v in self.votes for d in v.diffs if "fd" in (d.a, d.b)]
        return max((d.n_excluded for d in diffs), default=0)

    def failing_votes(self) -> list[TensorVote]:
        return [v for v in self.votes if not v.ok]


def _first_change(before: np.ndarray, after) -> str:
    if not isinstance(after, np.ndarray) or after.shape != before.shape:
        return "replaced with a different object or shape"
    changed = ~((before == after) | (np.isnan(before) & np.isnan(after)))
    idx = tuple(int(i) for i in np.argwhere(changed)[0])
    return f"{int(changed.sum())} element(s) changed, first at {list(idx)}: {before[idx]!r} -> {after[idx]!r}"


def run_subject(fn, case: Case, name: str = "subject") -> Party:
    """Call ``fn(params, X, Y, spec)`` on copies-checked inputs and validate what comes back.

    Raises :class:`SubjectError` with a one-line reason: an exception, a wrong return type,
    wrong keys, shapes or dtypes, NaN/Inf, a non-scalar loss, or mutated inputs.
    """
    spec = case.spec
    snapshot = {k: v.copy() for k, v in case.params.items()}
    X0, Y0 = case.X.copy(), case.Y.copy()
    try:
        out = fn(case.params, case.X, case.Y, spec)
    except Exception as exc:  # the subject's own bug: report it, do not crash
        raise SubjectError(f"raised {type(exc).__name__}: {exc}") from exc
    for label, before, after in ([(f"params[{k!r}]", snapshot[k], case.params.get(k)) for k in snapshot]
                                 + [("X", X0, case.X), ("Y", Y0, case.Y)]):
        if not (isinstance(after, np.ndarray) and after.shape == before.shape
                and np.array_equal(before, after, equal_nan=True)):
            detail = _first_change(before, after)
            raise SubjectError(f"mutated its input {label}: {detail}")
    if not (isinstance(out, tuple | list) and len(out) == 2):
        raise SubjectError(f"must return (loss, grads), got {type(out).__name__}")
    loss, grads = out
    try:
        loss_arr = np.asarray(loss, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SubjectError(f"loss is not a number: {loss!r}") from exc
    if loss_arr.size != 1:
        raise SubjectError(f"loss must be a scalar, got shape {loss_arr.shape}")
    if not isinstance(grads, dict):
        raise SubjectError(f"grads must be a dict, got {type(grads).__name__}")
    expected = spec.param_shapes()
    missing = [k for k in expected if k not in grads]
    extra = [k for k in grads if k not in expected]
    if missing or extra:
        raise SubjectError(f"grads keys do not match params: missing {missing}, unexpected {extra}")
    clean = {}
    for k, shape in expected.items():
        g = grads[k]
        if not isinstance(g, np.ndarray):
            raise SubjectError(f"grads[{k!r}] is a {type(g).__name__}, expected a numpy array")
        if g.shape != shape:
            hint = " (transposed?)" if g.shape == shape[::-1] and len(shape) == 2 else ""
            raise SubjectError(f"grads[{k!r}] has shape {g.shape}, expected {shape}{hint}")
        if not np.issubdtype(g.dtype, np.floating):
            raise SubjectError(f"grads[{k!r}] has dtype {g.dtype}, expected float64")
        clean[k] = g.astype(np.float64, copy=True)
    return Party(name=name, kind="subject", loss=float(loss_arr.reshape(())), grads=clean)


def check_case(case: Case, subject_fn, oracles: list, *, subject: str = "subject",
               index: int = 0, case_seed: list | None = None) -> CaseResult:
    """Run the subject and each oracle on ``case`` and vote on every tensor."""
    result = CaseResult(index=index, case_seed=list(case_seed or []), case=case,
                        subject=subject, oracles=[o.name for o in oracles])
    t0 = time.perf_counter()
    try:
        parties = [run_subject(subject_fn, case, subject)]
    except SubjectError as exc:
        result.error, result.error_party = f"{subject} {exc}", subject
        return result
    result.seconds[subject] = time.perf_counter() - t0
    for oracle in oracles:
        t0 = time.perf_counter()
        r = oracle.evaluate(case.params, case.X, case.Y, case.spec)
        result.seconds[oracle.name] = time.perf_counter() - t0
        parties.append(Party(name=oracle.name, kind=oracle.kind, loss=r.loss, grads=r.grads,
                             kinks=r.kinks))
    tensors = list(case.spec.param_names())
    result.votes = triangulate(parties, tensors)
    if any(not v.ok for v in result.votes):
        refined = _refine_fd(parties, oracles, case, tensors)
        if refined:
            result.fd_refined = refined
            result.votes = triangulate(parties, tensors)
    result.parties = parties
    return result


def _refine_fd(parties: list[Party], oracles: list, case: Case, tensors: list[str]) -> int:
    """Re-measure, by Richardson extrapolation, the finite-difference coordinates that disagree
    with some other party (in place in ``parties``). Returns how many were re-measured."""
    by_name = {o.name: o for o in oracles}
    count = 0
    for i, fd in enumerate(parties):
        oracle = by_name.get(fd.name)
        if fd.kind != "fd" or not hasattr(oracle, "refine"):
            continue
        grads = dict(fd.grads)
        for tensor in tensors:
            mask = np.zeros(fd.grads[tensor].shape, dtype=bool)
            for other in parties:
                if other.kind != "fd":
                    mask |= disagreeing_elements(other, fd, tensor)
            if mask.any():
                g = grads[tensor].copy()
                g[mask] = oracle.refine(case.params, case.X, case.Y, case.spec, tensor, mask)
                grads[tensor] = g
                count += int(mask.sum())
        parties[i] = replace(fd, grads=grads)
    return count
