"""Broken finite-difference oracles: a naive, coordinate-by-coordinate central difference and
the documented ways of getting it wrong. Standalone numpy; small networks only.

Each object looks like an oracle to the engine: ``name = "fd"``, ``kind = "fd"`` and
``evaluate(params, X, Y, spec)`` returning an :class:`FDResult` (``.loss .grads .kinks``).
None of them touches the caller's arrays: they perturb a private copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from crosscheck.reference.losses import LOSS_FUNCTIONS
from crosscheck.reference.network import forward
from crosscheck.reference.params import check_inputs

__all__ = ["FDResult", "NaiveFD", "FD_VARIANTS"]

STEP = 2.0**-17  # the correct oracle's step (oracles/fd.py explains the choice)


@dataclass(frozen=True)
class FDResult:
    oracle: str
    loss: float
    grads: dict
    kinks: dict = field(default_factory=dict)


def _loss(params, X, Y, spec) -> float:
    """The full loss, data plus L2, at ``params`` (any float dtype)."""
    out, _ = forward(params, X, spec)
    weights = sum(float(np.sum(params[f"W{m}"].astype(np.float64) ** 2)) for m in range(1, spec.depth + 1))
    with np.errstate(all="ignore"):
        data = LOSS_FUNCTIONS[spec.loss].value(out, Y)
    return float(data) + spec.l2 / (2.0 * X.shape[0]) * weights


class NaiveFD:
    """Correct naive central differences (the base every broken variant changes one line of):
    ``theta[i] = t + h; fp = J(); theta[i] = t - h; fm = J(); theta[i] = t; (fp - fm) / 2h``.
    It reports no kinks."""

    name = "fd"
    kind = "fd"
    step = STEP
    dtype = np.float64

    def evaluate(self, params, X, Y, spec) -> FDResult:
        check_inputs(params, X, Y, spec)
        work = self.working_copy(params)

        def J():
            return self.objective(work, X, Y, spec)

        grads = {}
        for name in spec.param_names():
            theta = work[name].reshape(-1)  # a view: writes reach ``work``
            grads[name] = np.array([self.coordinate(theta, i, J) for i in range(theta.size)]
                                   ).reshape(params[name].shape)
        return FDResult(self.name, _loss(params, X, Y, spec), grads)

    def working_copy(self, params) -> dict:
        return {k: np.array(v, dtype=self.dtype) for k, v in params.items()}

    def objective(self, work, X, Y, spec) -> float:
        return _loss(work, X.astype(self.dtype), Y.astype(self.dtype), spec)

    def h(self, t) -> float:
        return self.step * max(1.0, abs(float(t)))

    def coordinate(self, theta, i, J) -> float:
        t = theta[i]
        h = self.h(t)
        theta[i] = t + h
        fp = J()
        theta[i] = t - h
        fm = J()
        theta[i] = t
        return (fp - fm) / (2 * h)

    def loss_and_grads(self, params, X, Y, spec):
        r = self.evaluate(params, X, Y, spec)
        return r.loss, r.grads


class AliasNoCopy(NaiveFD):
    """``thetaplus = theta`` and ``thetaminus = theta`` are one array: the minus step undoes
    the plus step, so J- is J at theta and the result is a forward difference over 2h."""

    def coordinate(self, theta, i, J):
        t = theta[i]
        h = self.h(t)
        thetaplus = theta  # the bug: no .copy()
        thetaplus[i] += h
        fp = J()
        thetaminus = theta  # the same array again, still holding + h
        thetaminus[i] -= h
        fm = J()
        theta[i] = t
        return (fp - fm) / (2 * h)


class EpsMismatch(NaiveFD):
    """Perturbs by a local eps = 1e-7 but divides by the module constant 2 * EPSILON = 2e-4."""

    EPSILON = 1e-4

    def coordinate(self, theta, i, J):
        t = theta[i]
        eps = 1e-7
        theta[i] = t + eps
        fp = J()
        theta[i] = t - eps
        fm = J()
        theta[i] = t
        return (fp - fm) / (2 * self.EPSILON)


class Float32(NaiveFD):
    """Everything in float32 with h = 1e-5 (a framework default dtype)."""

    dtype = np.float32
    step = 1e-5

    def coordinate(self, theta, i, J):
        t = theta[i]
        h = np.float32(self.step)
        theta[i] = t + h
        fp = np.float32(J())
        theta[i] = t - h
        fm = np.float32(J())
        theta[i] = t
        return float((fp - fm) / (np.float32(2) * h))


class IntDtype(NaiveFD):
    """The parameter vector is an integer array (built from ints): ``x[i] = tmp + h`` truncates."""

    def working_copy(self, params):
        return {k: np.trunc(v).astype(np.int64) for k, v in params.items()}  # the bug

    def objective(self, work, X, Y, spec):
        return _loss({k: v.astype(np.float64) for k, v in work.items()}, X, Y, spec)

    def h(self, t):
        return 1e-5


class OutputAlias(NaiveFD):
    """J returns its result in a reused buffer (``self.out``) and ``fp = J()`` keeps a
    reference, not a copy: by the subtraction fp and fm are the same array."""

    def coordinate(self, theta, i, J):
        buffer = np.zeros(())

        def J_buffer():
            buffer[...] = J()
            return buffer  # the bug: the caller gets the buffer, not a value

        return float(super().coordinate(theta, i, J_buffer))


class StepTooSmall(NaiveFD):
    """h = 1e-12: the rounding error eps |L| / h (about 2e-4 |L|) swamps the derivative."""

    step = 1e-12


class NoKinkMask(NaiveFD):
    """Correct differences but no kink accounting: a step across a ReLU kink measures the
    chord (0.5 at z = 0) and nothing marks that coordinate as untrustworthy."""


FD_VARIANTS = {
    "fd-alias-no-copy": AliasNoCopy,
    "fd-eps-mismatch": EpsMismatch,
    "fd-float32": Float32,
    "fd-int-dtype": IntDtype,
    "fd-output-alias": OutputAlias,
    "fd-step-size": StepTooSmall,
    "fd-kink": NoKinkMask,
}
