"""The one tolerance table, keyed by oracle kind, with the reasoning behind each number.

An element passes when ``|a - b| <= atol + rtol * |b|`` where b is the trusted side (the
oracle), and ``atol = atol_grad * max|b| + atol_loss * max(1, |L|)`` over the tensor:
errors of a correct computation scale with the tensor's largest entry (a small entry is a
cancellation of large terms) and, through rounding of the loss, with the loss itself.

Measured on this machine over 3,000 random networks (depth 1-8, widths 1-48, init scale up
to 8, so saturated sigmoids and logits in the hundreds), comparing the reference with torch
and with the finite-difference oracle (``benchmarks/calibrate_tolerances.py``):

- autodiff: two correct float64 implementations differ by summation order only. The worst
  seen was 2e-13 x max|b|, and 2e-12 x |L| where gradients vanish (~1e-125, one side
  underflows to 0). The table allows 1e-9 relative and 1e-10 x max|b| + 1e-11 x |L|:
  a 100x margin, and still 1e7 times tighter than any catalogued bug.
- fd: central differences with h = 2^-17 carry rounding eps |L| / h ~ 3e-11 |L| and
  truncation h^2 |L'''| / 6, which grows with saturation (large third derivatives). The worst
  seen was about 1/10 of the bound below; real bugs are off by 1e-3 relative or more.
- complex-step: Im L(t + ih) / h with h = 1e-30 has no subtraction, so no cancellation and a
  truncation term ~h^2 = 1e-60: it is exact to rounding, like autodiff, and gets the autodiff
  row. Where it applies (no ReLU) it stands in for fd, so the numerical check is 1e4 times
  tighter there.
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
