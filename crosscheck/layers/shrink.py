"""Shrinking a failing layer case to the smallest shape that fails the same way.

The same failure means the same signature: the same error kind when the pair raised or
returned something unusable, otherwise the same set of (part, tensor) findings (``forward``
``out``, ``backward`` ``dgamma``, ``consistency`` ``dx``...) and the same catalogued suspect.
A smaller shape that fails differently (at batch 1 a batchnorm bug can vanish while a
division by zero appears) is not taken: the user is shown the bug that was found, small.

The search is the generic :class:`crosscheck.engine.shrinker.Shrinker`, one named pass per
dimension of the kind's space (``crosscheck/layers/cases.py``: lowest value first, then
halfway, then one less), "simpler" being :func:`crosscheck.layers.cases.size`, within a
budget of tries (checks of the pair), never seconds. The tries run against one framework
(the first); the smallest case is then checked again in full, so what the report says about
it is exactly what every oracle found. A pair that hung or died is not re-run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from crosscheck.engine.shrinker import Pass, StopShrinking, shrink
from crosscheck.layers.cases import SPACES, Shape, size, smaller_in
from crosscheck.layers.check import CaseData, LayerCase, check_layer_case

__all__ = ["LAYER_SHRINK_TRIES", "ShrunkCase", "layer_passes", "shrink_layer_case", "signature"]

NOT_RERUN = frozenset({"timeout", "exited"})  # each try would cost the full limit, or a crash
LAYER_SHRINK_TRIES = 60  # checks of the pair per shrunk case: the budget, in tries


@dataclass(frozen=True)
class ShrunkCase:
    index: int  # the failing case it started from
    case: LayerCase  # the smallest case with the same failure, checked by every oracle
    data: CaseData  # what that case gave the pair: the reproduction script embeds it
    steps: int  # accepted shrinking steps
    tries: int  # checks run
    seconds: float  # how long it took (reported, never a budget)


def signature(case: LayerCase) -> tuple:
    return (case.error_kind, frozenset((part, tensor) for part, tensor, _ in case.findings),
            case.suspect, case.convention)


def layer_passes(kind: str) -> tuple[Pass, ...]:
    """One pass per dimension of ``kind``'s space, in the space's order: "lower n", ..."""
    return tuple(Pass(f"lower {d.name}", lambda shape, d=d: smaller_in(shape, d))
                 for d in SPACES[kind])


def shrink_layer_case(case: LayerCase, pair_call, *, label: str, oracles: dict,
                      dtype: str = "float64", budget: int = LAYER_SHRINK_TRIES,
                      **settings) -> ShrunkCase | None:
    """The smallest shape failing like ``case`` (a failing case of :func:`check_layer`), or
    None when it cannot be re-run (a hang, a crash, no shape). ``settings``: the check's own
    (``names``, ``dropout_p``, ``strict``), as :func:`check_layer_case` takes them."""
    if case.verdict != "fail" or case.shape is None or case.error_kind in NOT_RERUN:
        return None
    t0 = time.perf_counter()
    target = signature(case)
    quick = dict(list(oracles.items())[:1])

    def fails_the_same_way(shape: Shape) -> bool:
        small, _ = check_layer_case(shape, pair_call, label=label, oracles=quick, index=case.index,
                                    dtype=dtype, **settings)
        if small.error_kind in NOT_RERUN:
            raise StopShrinking
        return signature(small) == target

    found = shrink(case.shape, fails_the_same_way, layer_passes(case.shape.kind),
                   sort_key=size, max_tries=budget)
    final, data = check_layer_case(found.value, pair_call, label=label, oracles=oracles,
                                   index=case.index, dtype=dtype, **settings)
    return ShrunkCase(index=case.index, case=final, data=data, steps=found.steps,
                      tries=found.tries + 1, seconds=time.perf_counter() - t0)
