"""The one tolerance table, keyed by oracle kind, with the reasoning behind each number.

An element passes when ``|a - b| <= atol + rtol * |b|`` where b is the trusted side (the
oracle), and ``atol = atol_grad * max|b| + atol_loss * max(1, |L|)`` over the tensor:
errors of a correct computation scale with the tensor's largest entry (a small entry is a
cancellation of large terms) and, through rounding of the loss, with the loss itself.

Measured on this machine with ``benchmarks/calibrate_tolerances.py``, which runs the
reference against every oracle through the gate's own check on random networks (depth 1-8,
init scale 0.5-8, so saturated sigmoids and logits in the hundreds): 1,000 networks of
widths 1-48 (seed 1) and 60 of widths 1-256 (seed 2, 18 of them checked sampled),
2026-11-23, zero false alarms. Worst errors as a fraction of the bounds below:

- autodiff: two correct float64 implementations differ by summation order only. The table
  allows 1e-9 relative and 1e-10 x max|b| + 1e-11 x |L| (errors scale with the largest entry
  and, where gradients vanish, with the loss); the worst seen was 1/72 of that bound
  (reference vs tensorflow, depth 8, scale 8), and it is still 1e6 times tighter than any
  catalogued bug.
- fd: central differences with h = 2^-17 carry rounding eps |L| / h ~ 3e-11 |L| and
  truncation h^2 |L'''| / 6, which grows with saturation (large third derivatives). Raw, a
  few coordinates of strongly saturated deep networks exceed the bound (252 coordinates in
  the 1,000 networks, the worst 121 times over, at depth 8 and scale 8); the gate
  re-measures exactly those by Richardson extrapolation (crosscheck/engine/check.py), after which the
  worst was 1/20 of the bound. Real bugs are off by 1e-3 relative or more. The
  directional votes of large networks use this row with the gradient term scaled by
  ||grad_T||_2; the worst seen was 1/414 of that bound.
- complex-step: Im L(t + ih) / h with h = 1e-30 has no subtraction, so no cancellation and a
  truncation term ~h^2 = 1e-60: it is exact to rounding, like autodiff, and gets the autodiff
  row (worst seen: 1/9,700 of it). Where it applies (no ReLU) it stands in for fd, so the
  numerical check is 1e4 times tighter there.
- float32: a subject checked with ``--dtype float32`` gets its inputs rounded to float32 and
  rounds every operation with unit roundoff u = 2^-24 ~ 6e-8. A matmul with inner dimension n
  has forward error at most gamma_n = n u / (1 - n u) of the sum of the absolute products it
  adds (Higham, Accuracy and Stability of Numerical Algorithms, 3.1); backprop chains L of them
  forwards and L backwards, so an entry of dW_l is off by up to about 2 L n u times the
  magnitudes flowing through the network, which (cancellation aside) is of the order of the
  tensor's largest entry: with the default campaign's L <= 4 and n <= 32 that is
  256 u ~ 1.5e-5 x max|b|. Saturation adds to it (1 - a for a sigmoid output near 1 keeps few
  of float32's 24 bits, and init scale 4 multiplies what each layer passes on), so relative to
  a single element the error is unbounded (a small entry is a cancellation of large terms):
  the row allows 5e-4 x max|b| + 1e-5 x max(1, |L|) + 1e-4 x |b|, about 30 x that analysis
  at the default sizes. Measured with ``benchmarks/calibrate_tolerances.py --float32`` (the
  float32 port in tests/subjects/float32_port.py, the reference's formulas in single
  precision, through verify's own path against torch, tensorflow and fd; every loss, one
  network in eight with integer labels), 2026-11-23, zero false alarms: on networks drawn as
  the default campaign draws them (depth 1-4, widths 1-32, init scale 0.5-4), the worst was
  1/82 of the bound over 400 networks (seed 0) and 1/54 over 1,000 (seed 1); at depth 1-8,
  widths 1-64, 1/32 (300 networks, seed 3); at depth 1-8, widths 1-128 the worst reached 0.68
  of it (300 networks, seed 2: a chain of identity layers at init scale 4 grows what flows
  through the network 4^5-fold), so past the default sizes a float32 check may need
  ``tolerance_scale``. The price: in float32 a bug is seen only when it moves a gradient by
  more than about 5e-4 of its tensor's largest entry (1e-10 in float64); catalogued bugs are
  O(1) errors where they show, but on a network where their effect is smaller (vanishing
  gradients) a float32 check passes them.
- subject: a user implementation is judged with the tolerance of the oracle it is compared
  against (the looser kind of the pair applies to a pair; a float32 subject takes the looser
  of that row and the float32 row). A user may loosen or tighten that with
  :class:`SubjectTolerance`: ``scale`` multiplies the row, explicit ``rtol``/``atol`` replace
  it for every comparison of the subject.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

__all__ = ["MAX_TOLERANCE_SCALE", "TOLERANCES", "SubjectTolerance", "Tolerance", "pair_tolerance"]

# The largest SubjectTolerance.scale: 1e6 times the loosest rows (fd's rtol 1e-5, float32's
# 1e-4 with atol_grad 5e-4 x max|b|) already lets a gradient off by 10 to 100 times its own
# size pass; beyond it the check judges nothing (1e300 passed any finite answer).
MAX_TOLERANCE_SCALE = 1e6


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol_grad: float  # times max|b| over the tensor
    atol_loss: float  # times max(1, |loss|)
    atol_abs: float = 0.0  # a fixed floor, set only by an explicit user atol

    def atol(self, b: np.ndarray, loss: float) -> float:
        return self.atol_of(float(np.max(np.abs(b))) if b.size else 0.0, loss)

    def atol_of(self, scale: float, loss: float) -> float:
        """The absolute term for a tensor whose largest |b| is ``scale``."""
        if not math.isfinite(scale):
            scale = 0.0
        loss_scale = max(1.0, abs(loss)) if math.isfinite(loss) else 1.0
        return self.atol_abs + self.atol_grad * scale + self.atol_loss * loss_scale


TOLERANCES: dict[str, Tolerance] = {
    "autodiff": Tolerance(rtol=1e-9, atol_grad=1e-10, atol_loss=1e-11),
    "fd": Tolerance(rtol=1e-5, atol_grad=1e-6, atol_loss=1e-7),
    "complex-step": Tolerance(rtol=1e-9, atol_grad=1e-10, atol_loss=1e-11),
    # a subject computing in float32 (verify --dtype float32); never an oracle
    "float32": Tolerance(rtol=1e-4, atol_grad=5e-4, atol_loss=1e-5),
}


def pair_tolerance(kind_a: str, kind_b: str) -> Tolerance:
    """The looser of two kinds ("subject" takes the other side's kind)."""
    kinds = [k for k in (kind_a, kind_b) if k in TOLERANCES] or ["autodiff"]
    return max((TOLERANCES[k] for k in kinds), key=lambda t: t.rtol)


@dataclass(frozen=True)
class SubjectTolerance:
    """How strictly the subject is judged. ``scale`` multiplies the table's row for the oracle
    it is compared with (for ``dtype="float32"``, the looser of that row and the float32 row);
    ``rtol`` and ``atol``, when given, replace the row's relative and absolute terms
    (``|a - b| <= atol + rtol * |b|``) in every comparison of the subject."""

    scale: float = 1.0
    rtol: float | None = None
    atol: float | None = None
    dtype: str = "float64"  # what the subject computes in

    def __post_init__(self) -> None:
        for name in ("scale", "rtol", "atol"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)
                                  or not math.isfinite(v) or v < 0 or (name == "scale" and v == 0)):
                raise ValueError(f"{name} must be a finite number {'> 0' if name == 'scale' else '>= 0'}, "
                                 f"got {v!r}")
        if self.scale > MAX_TOLERANCE_SCALE:
            raise ValueError(f"tolerance_scale {self.scale:g} is above {MAX_TOLERANCE_SCALE:g}: "
                             f"a gradient off by 10 times its size already passes there")
        if self.dtype not in ("float64", "float32"):
            raise ValueError(f"dtype must be float64 or float32, got {self.dtype!r}")

    @property
    def is_default(self) -> bool:
        return (self.scale == 1.0 and self.rtol is None and self.atol is None
                and self.dtype == "float64")

    def against(self, kind: str) -> Tolerance:
        base = TOLERANCES.get(kind, TOLERANCES["autodiff"])
        if self.dtype == "float32":
            base = pair_tolerance(kind, "float32")
        tol = Tolerance(base.rtol * self.scale, base.atol_grad * self.scale,
                        base.atol_loss * self.scale)
        if self.rtol is not None:
            tol = replace(tol, rtol=float(self.rtol))
        if self.atol is not None:
            tol = replace(tol, atol_grad=0.0, atol_loss=0.0, atol_abs=float(self.atol))
        return tol
