"""Shrinking a failing layer case to the smallest shape that fails the same way.

The same failure means the same signature: the same error kind when the pair raised or
returned something unusable, otherwise the same set of (part, tensor) findings (``forward``
``out``, ``backward`` ``dgamma``, ``consistency`` ``dx``...) and the same catalogued suspect.
A smaller shape that fails differently (at batch 1 a batchnorm bug can vanish while a
division by zero appears) is not taken: the user is shown the bug that was found, small.

The search is greedy over the case's dimensions (``crosscheck/layers/cases.py``: lowest
value first, then halfway, then one less), restarting from each accepted step, within a
budget of checks and a deadline. The tries run against one framework (the first); the
smallest case is then checked again in full, so what the report says about it is exactly
what every oracle found. A pair that hung or died is not re-run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from crosscheck.layers.cases import Shape, size, smaller
from crosscheck.layers.check import CaseData, LayerCase, check_layer_case

__all__ = ["ShrunkCase", "shrink_layer_case", "signature"]

NOT_RERUN = frozenset({"timeout", "exited"})  # each try would cost the full limit, or a crash


@dataclass
class ShrunkCase:
    index: int  # the failing case it started from
    case: LayerCase  # the smallest case with the same failure, checked by every oracle
    data: CaseData  # what that case gave the pair: the reproduction script embeds it
    steps: int  # accepted shrinking steps
    tries: int  # checks run
    seconds: float


def signature(case: LayerCase) -> tuple:
    return (case.error_kind, frozenset((part, tensor) for part, tensor, _ in case.findings),
            case.suspect)


def shrink_layer_case(case: LayerCase, pair_call, *, label: str, oracles: dict,
                      dtype: str = "float64", budget: int = 60,
                      deadline: float = 30.0) -> ShrunkCase | None:
    """The smallest shape failing like ``case`` (a failing case of :func:`check_layer`), or
    None when it cannot be re-run (a hang, a crash, no shape)."""
    if case.verdict != "fail" or case.shape is None or case.error_kind in NOT_RERUN:
        return None
    t0 = time.perf_counter()
    target = signature(case)
    quick = dict(list(oracles.items())[:1])
    current: Shape = case.shape
    steps = tries = 0
    improved = True
    while improved:
        improved = False
        here = size(current)
        for cand in smaller(current):
            if tries >= budget or time.perf_counter() - t0 > deadline:
                break
            if size(cand) >= here:
                continue
            tries += 1
            small, _ = check_layer_case(cand, pair_call, label=label, oracles=quick, index=case.index,
                                  dtype=dtype)
            if small.error_kind in NOT_RERUN:
                break
            if signature(small) == target:
                current, improved = cand, True
                steps += 1
                break
    final, data = check_layer_case(current, pair_call, label=label, oracles=oracles, index=case.index,
                             dtype=dtype)
    return ShrunkCase(index=case.index, case=final, data=data, steps=steps, tries=tries + 1,
                      seconds=time.perf_counter() - t0)
