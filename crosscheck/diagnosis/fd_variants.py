"""Broken finite-difference oracles: a naive, coordinate-by-coordinate central difference and
the documented ways of getting it wrong. Standalone numpy; small networks only.

Each is the one coordinate loop of :func:`crosscheck.oracles.fd_core.coordinate_difference`
with one parameter set wrong (a :class:`~crosscheck.oracles.fd_core.Flaws` or the step), not
a parallel implementation. Each object looks like an oracle to the engine: ``name = "fd"``,
``kind = "fd"`` and ``evaluate(params, X, Y, spec)`` returning an :class:`FDResult`
(``.loss .grads .kinks``). None of them touches the caller's arrays: they perturb a private
copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np

from crosscheck.oracles.fd_core import CORRECT, DEFAULT_STEP, Flaws, coordinate_difference, step_sizes
from crosscheck.reference.losses import LOSS_FUNCTIONS
from crosscheck.reference.network import forward
from crosscheck.reference.params import check_inputs

__all__ = ["FDResult", "NaiveFD", "FD_VARIANTS"]

STEP = DEFAULT_STEP  # the correct oracle's step (oracles/fd_core.py explains the choice)


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
    """Naive central differences, correct with the defaults:
    ``theta[i] = t + h; fp = J(); theta[i] = t - h; fm = J(); theta[i] = t; (fp - fm) / 2h``
    with ``h = step * max(1, |t|)`` (``relative``) or ``h = step``; ``flaws`` break it the way
    learners do. It reports no kinks."""

    name = "fd"
    kind = "fd"

    def __init__(self, step: float = STEP, *, relative: bool = True, flaws: Flaws = CORRECT) -> None:
        self.step, self.relative, self.flaws = step, relative, flaws

    def evaluate(self, params, X, Y, spec) -> FDResult:
        check_inputs(params, X, Y, spec)
        flaws = self.flaws
        arith = flaws.arithmetic
        work = {k: flaws.working(v) for k, v in params.items()}
        X_, Y_ = (a.astype(arith) if np.issubdtype(a.dtype, np.floating) else a for a in (X, Y))
        grads = {}
        for name in spec.param_names():
            shape = params[name].shape
            theta = work[name].reshape(-1)  # a view: writes reach ``work``

            def J(moved, name=name, shape=shape):  # noqa: N802
                at = {**work, name: moved.reshape(shape)}
                return _loss({k: v.astype(arith, copy=False) for k, v in at.items()}, X_, Y_, spec)

            h = step_sizes(theta, self.step, relative=self.relative)
            grads[name] = np.array([coordinate_difference(J, theta, i, h[i], flaws)
                                    for i in range(theta.size)]).reshape(shape)
        return FDResult(self.name, _loss(params, X, Y, spec), grads)

    def loss_and_grads(self, params, X, Y, spec):
        r = self.evaluate(params, X, Y, spec)
        return r.loss, r.grads


# ``thetaplus = theta`` and ``thetaminus = theta`` are one array: the minus step undoes the
# plus step, so J- is J at theta and the result is a forward difference over 2h.
AliasNoCopy = partial(NaiveFD, flaws=Flaws(copy=False))
# Perturbs by a local eps = 1e-7 but divides by the module constant 2 * EPSILON = 2e-4.
EpsMismatch = partial(NaiveFD, 1e-7, relative=False, flaws=Flaws(divide_by=1e-4))
# Everything in float32 with h = 1e-5 (a framework default dtype).
Float32 = partial(NaiveFD, 1e-5, relative=False, flaws=Flaws(dtype=np.float32))
# The parameter vector is an integer array (built from ints): ``x[i] = tmp + h`` truncates.
IntDtype = partial(NaiveFD, 1e-5, relative=False, flaws=Flaws(dtype=np.int64))
# J returns its result in a reused buffer (``self.out``) and ``fp = J()`` keeps a reference,
# not a copy: by the subtraction fp and fm are the same array.
OutputAlias = partial(NaiveFD, flaws=Flaws(output_alias=True))
# h = 1e-12: the rounding error eps |L| / h (about 2e-4 |L|) swamps the derivative.
StepTooSmall = partial(NaiveFD, 1e-12)
# Correct differences but no kink accounting: a step across a ReLU kink measures the chord
# (0.5 at z = 0) and nothing marks that coordinate as untrustworthy.
NoKinkMask = NaiveFD


FD_VARIANTS = {
    "fd-alias-no-copy": AliasNoCopy,
    "fd-eps-mismatch": EpsMismatch,
    "fd-float32": Float32,
    "fd-int-dtype": IntDtype,
    "fd-output-alias": OutputAlias,
    "fd-step-size": StepTooSmall,
    "fd-kink": NoKinkMask,
}
