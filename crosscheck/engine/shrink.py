"""Shrink a failing case to the smallest network that still fails the same way.

Deterministic and greedy: try, in order, dropping a hidden layer, batch 1, each width to 1,
halving batch and widths, and l2 -> 0; keep the first candidate on which the subject is still
blamed (same blame, re-checked by :func:`crosscheck.engine.check.check_case` with the same oracles),
and start again from it. Slicing keeps the original numbers wherever the shapes allow (a
narrower layer keeps the first units; a smaller batch keeps the first rows); only dropping a
layer draws fresh parameters, from a Generator seeded by the case seed.

Re-running the subject costs time, so shrinking stops at a ``deadline`` (a
``time.monotonic()`` value the caller shares with its other re-runs), and a failure whose
``error_kind`` is in ``skip_kinds`` (a call that timed out, a process that died) is never
re-run: such a case is not shrunk, and a candidate that fails that way ends the search.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from crosscheck.engine.check import CaseResult, check_case
from crosscheck.reference.params import init_params
from crosscheck.reference.sampling import Case
from crosscheck.reference.spec import NetworkSpec

__all__ = ["attach_reproductions", "shrink_case"]


def _size(case: Case) -> tuple:
    spec = case.spec
    return (spec.depth, case.batch + sum(spec.sizes), spec.l2 > 0)


def _drop_layer(case: Case, layer: int, seed: list) -> Case:
    """Without hidden layer ``layer`` (1 <= layer < depth): fresh parameters, same data."""
    spec = case.spec
    sizes = spec.sizes[:layer] + spec.sizes[layer + 1:]
    acts = spec.activations[:layer - 1] + spec.activations[layer:]
    new = NetworkSpec(sizes=sizes, activations=acts, loss=spec.loss, l2=spec.l2)
    rng = np.random.default_rng([*seed, 104729, layer, spec.depth])
    return replace(case, spec=new, params=init_params(new, rng, scale=case.scale))


def _narrow(case: Case, i: int, width: int) -> Case:
    """``sizes[i]`` cut to ``width`` by keeping the first units (inputs, hidden or outputs)."""
    spec = case.spec
    p = dict(case.params)
    X, Y = case.X, case.Y
    if i == 0:
        X = X[:, :width].copy()
    else:
        p[f"W{i}"] = p[f"W{i}"][:, :width].copy()
        p[f"b{i}"] = p[f"b{i}"][:width].copy()
    if i < spec.depth:
        p[f"W{i + 1}"] = p[f"W{i + 1}"][:width, :].copy()
    else:
        Y = Y[:, :width].copy()
    sizes = spec.sizes[:i] + (width,) + spec.sizes[i + 1:]
    return replace(case, spec=replace(spec, sizes=sizes), params=p, X=X, Y=Y)


def _candidates(case: Case, seed: list) -> Iterator[Case]:
    spec = case.spec
    for layer in range(1, spec.depth):
        yield _drop_layer(case, layer, seed)
    batches = sorted({1, case.batch // 2} - {0, case.batch})
    for b in batches:
        yield replace(case, X=case.X[:b].copy(), Y=case.Y[:b].copy())
    for i, width in enumerate(spec.sizes):
        floor = 2 if (i == spec.depth and spec.loss == "softmax_cross_entropy") else 1
        for w in sorted({floor, width // 2}):
            if floor <= w < width:
                yield _narrow(case, i, w)
    if spec.l2 > 0:
        yield replace(case, spec=replace(spec, l2=0.0))


def shrink_case(result: CaseResult, subject_fn, oracles: list, *, budget: int = 60,
                deadline: float | None = None, skip_kinds: frozenset = frozenset()
                ) -> tuple[Case, CaseResult, int, int]:
    """(smallest case, its result, accepted steps, checks run) for a failing ``result``."""
    target = sorted(result.blame)
    current, current_result = result.case, result
    # the subject is judged as in the campaign (a user's own tolerance, if any)
    tolerance = next((p.tolerance for p in result.parties if p.kind == "subject"), None)
    steps = checks = 0
    improved = True
    while improved and checks < budget:
        improved = False
        for cand in _candidates(current, result.case_seed):
            if checks >= budget or (deadline is not None and time.monotonic() > deadline):
                return current, current_result, steps, checks
            if _size(cand) >= _size(current):
                continue
            checks += 1
            r = check_case(cand, subject_fn, oracles, subject=result.subject, index=result.index,
                           case_seed=result.case_seed, tolerance=tolerance)
            if r.error_kind in skip_kinds:  # a hang or a dead process: no more re-runs
                return current, current_result, steps, checks
            if r.verdict == "fail" and sorted(r.blame) == target:
                current, current_result, improved = cand, r, True
                steps += 1
                break
    return current, current_result, steps, checks


def attach_reproductions(cases: list[CaseResult], subject_fn, oracles: list, *,
                         subject_import: str | None = None, max_cases: int = 5,
                         names: dict | None = None, deadline: float | None = None,
                         skip_kinds: frozenset = frozenset()) -> int:
    """Shrink the ``max_cases`` worst failing cases and set their ``reproduction``; returns
    how many were shrunk. ``names`` maps id(case) to its report name (default case-INDEX).
    ``deadline`` and ``skip_kinds``: see the module docstring."""
    fails = sorted((c for c in cases if c.verdict == "fail"), key=lambda c: -c.severity)
    shrunk = 0
    for c in fails[:max_cases]:
        if c.error_kind in skip_kinds or (deadline is not None and time.monotonic() > deadline):
            continue
        shrunk += 1
        small, small_result, steps, checks = shrink_case(c, subject_fn, oracles,
                                                         deadline=deadline, skip_kinds=skip_kinds)
        label = (names or {}).get(id(c), f"case-{c.index}")
        recorded = small_result.parties[0] if small_result.parties else None
        c.shrunk = (small, recorded)
        c.reproduction = {
            "spec": small.spec.to_dict(),
            "describe": small.spec.describe(),
            "batch": small.batch,
            "steps": steps,
            "checks": checks,
            "verdict": small_result.verdict,
            "blame": small_result.blame,
            "script_name": "repro_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", label)[:80] + ".py",
            "title": label,
            "subject_import": subject_import,
        }
    return shrunk
