"""The one tolerance table, keyed by oracle kind, with the reasoning behind each number.

An element passes when ``|a - b| <= atol + rtol * |b|`` where b is the trusted side (the
oracle), and ``atol = atol_grad * max|b| + atol_loss * max(1, |L|)`` over the tensor:
errors of a correct computation scale with the tensor's largest entry (a small entry is a
cancellation of large terms) and, through rounding of the loss, with the loss itself.

Measured on this machine with ``benchmarks/calibrate_tolerances.py``, which runs the
reference against every oracle through the gate's own check on random networks (depth 1-8,
init scale 0.5-8, so saturated sigmoids and logits in the hundreds): CALIB_SETS, 2026-11-23,
zero false alarms. Worst errors as a fraction of the bounds below:

- autodiff: two correct float64 implementations differ by summation order only. The table
  allows 1e-9 relative and 1e-10 x max|b| + 1e-11 x |L| (errors scale with the largest entry
  and, where gradients vanish, with the loss); the worst seen was CALIB_AD of that bound,
  and the bound is still 1e6 times tighter than any catalogued bug.
- fd: central differences with h = 2^-17 carry rounding eps |L| / h ~ 3e-11 |L| and
  truncation h^2 |L'''| / 6, which grows with saturation (large third derivatives). Raw, a
  few coordinates of strongly saturated deep networks exceed the bound (CALIB_FD_RAW); the
  gate re-measures exactly those by Richardson extrapolation (reports/engine.py), after which
  the worst was CALIB_FD_AFTER of the bound. Real bugs are off by 1e-3 relative or more.
- complex-step: Im L(t + ih) / h with h = 1e-30 has no subtraction, so no cancellation and a
  truncation term ~h^2 = 1e-60: it is exact to rounding, like autodiff, and gets the autodiff
  row (worst seen: CALIB_CS of it). Where it applies (no ReLU) it stands in for fd, so the
  numerical check is 1e4 times tighter there.
- subject: a user implementation is judged with the tolerance of the oracle it is compared
  against (the looser kind of the pair applies to a pair).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TOLERANCES", "Tolerance", "pair_tolerance"]


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol_grad: float  # times max|b| over the tensor
    atol_loss: float  # times max(1, |loss|)

    def atol(self, b: np.ndarray, loss: float) -> float:
        scale = float(np.max(np.abs(b))) if b.size else 0.0
        if not np.isfinite(scale):
            scale = 0.0
        loss_scale = max(1.0, abs(loss)) if np.isfinite(loss) else 1.0
        return self.atol_grad * scale + self.atol_loss * loss_scale


TOLERANCES: dict[str, Tolerance] = {
    "autodiff": Tolerance(rtol=1e-9, atol_grad=1e-10, atol_loss=1e-11),
    "fd": Tolerance(rtol=1e-5, atol_grad=1e-6, atol_loss=1e-7),
    "complex-step": Tolerance(rtol=1e-9, atol_grad=1e-10, atol_loss=1e-11),
}


def pair_tolerance(kind_a: str, kind_b: str) -> Tolerance:
    """The looser of two kinds ("subject" takes the other side's kind)."""
    kinds = [k for k in (kind_a, kind_b) if k in TOLERANCES] or ["autodiff"]
    return max((TOLERANCES[k] for k in kinds), key=lambda t: t.rtol)
