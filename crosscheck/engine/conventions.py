"""Subgradient conventions at exact kinks: a difference that is not a wrong backprop.

At an exact kink of an activation (ReLU at z == 0) any slope between the two one-sided ones
is a valid subgradient; the frameworks take the left one (ReLU'(0) = 0), learners' code often
the right one (a mask ``z >= 0``: ReLU'(0) = 1). A network whose pre-activations sit exactly
on a kink (the relu-ties edge network) then differs from the frameworks there and nowhere
else. :func:`subgradient_convention` recognises that by replay: the reference's gradients
with every kinked activation's slope at its kinks moved from the left one to the right one
span, for a slope ``c`` between them, ``g(c) = g_left + c * (g_right - g_left)``; the subject's
gradients must be one of those for a ``c`` in [0, 1], within the tolerance that judged them,
its loss agreeing. Where the kinks are comes from the activation records
(``reference/ops.py``: ``kinks``), never from a name.

:func:`mark_conventions` puts the words on the failing cases so explained: a warning, which
passes the case, or with ``strict`` a failure that says it is only a convention.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from crosscheck.engine.compare import element_bad
from crosscheck.engine.tolerances import TOLERANCES
from crosscheck.reference.network import REFERENCE_PARTS, backprop
from crosscheck.reference.ops import ACTIVATION_OPS
from crosscheck.reference.spec import NetworkSpec

__all__ = ["mark_conventions", "subgradient_convention"]

_TITLES = {"relu": "ReLU", "leaky_relu": "leaky ReLU"}  # how the warning writes them
_SIDE = 1e-6  # a point this far right of a kink lies on its right piece (kinks are isolated)


def _right_slope(op):
    """The op's backward with the right-hand slope at its kinks (the reference uses the left)."""
    def backward(da, z, a):
        dz = op.backward(da, z, a)
        at = np.isin(z, op.kinks)
        if not at.any():
            return dz
        right = np.where(at, z + _SIDE, z)
        return np.where(at, op.backward(da, right, op.forward(right)), dz)
    return backward


def _slopes(op) -> tuple[float, float]:
    """(left, right) slope of ``op`` at its first kink."""
    k = op.kinks[0]
    left = float(op.backward(np.ones(1), np.array([k]), op.forward(np.array([k])))[0])
    right = float(op.backward(np.ones(1), np.array([k + _SIDE]), op.forward(np.array([k + _SIDE])))[0])
    return left, right


def subgradient_convention(case, grads: dict, loss: float | None = None) -> str:
    """Words for the convention that explains every difference of ``grads`` (the subject's,
    by parameter name) from the reference on ``case`` (an MLP :class:`Case`), or ""."""
    spec = case.spec
    if not isinstance(spec, NetworkSpec):
        return ""
    kinked = {name for name in spec.activations if ACTIVATION_OPS[name].kinks}
    if not kinked:
        return ""
    parts = replace(REFERENCE_PARTS, activations={
        **REFERENCE_PARTS.activations,
        **{name: type(REFERENCE_PARTS.activations[name])(
            REFERENCE_PARTS.activations[name].forward, _right_slope(ACTIVATION_OPS[name]))
           for name in kinked}})
    ref_loss, left = backprop(case.params, case.X, case.Y, spec)
    _, right = backprop(case.params, case.X, case.Y, spec, parts)
    if loss is not None and not abs(loss - ref_loss) <= 1e-9 * max(1.0, abs(ref_loss)):
        return ""
    if set(grads) != set(left):
        return ""
    step = np.concatenate([(right[k] - left[k]).ravel() for k in left])
    if not step.any():
        return ""
    moved = np.concatenate([(np.asarray(grads[k], dtype=np.float64) - left[k]).ravel()
                            for k in left])
    c = float(moved @ step / (step @ step))
    if not (-1e-9 <= c <= 1 + 1e-9):
        return ""
    tol = TOLERANCES["autodiff"]
    if any(element_bad(np.asarray(grads[k], dtype=np.float64), left[k] + c * (right[k] - left[k]),
                       tol, ref_loss).any() for k in left):
        return ""
    words = []
    for name in sorted(kinked):
        lo, hi = _slopes(ACTIVATION_OPS[name])
        used = lo + c * (hi - lo)
        title = _TITLES.get(name, name)
        kink = f"{ACTIVATION_OPS[name].kinks[0]:g}"
        words.append(f"{title}'({kink}) = {used:.6g} where the frameworks use {lo:g}; any value "
                     f"in [{lo:g},{hi:g}] is a valid subgradient")
    return "; ".join(words)


def mark_conventions(result, strict: bool = False):
    """``result`` (a :class:`~crosscheck.engine.campaign.CampaignResult`) with each failing
    case whose only dissent is the subject's, and only a subgradient convention, marked with
    the convention's words (``CaseResult.convention``): it passes unless ``strict``.

    With two oracles (torch and fd, verify's default) a difference at an exact kink is a
    subject-against-torch tie: fd leaves the kinked coordinates out, so the vote there has no
    majority. Such a case is checked too: the subject's gradients must still lie between the
    reference's one-sided gradients everywhere (:func:`subgradient_convention`), which is what
    makes it a convention and not a bug."""
    cases = []
    for c in result.cases:
        if (c.verdict == "fail" and not c.error and c.parties
                and c.blame in ([c.subject], ["no-majority"])):
            words = subgradient_convention(c.case, c.parties[0].grads, c.parties[0].loss)
            if words:
                c = replace(c, convention=words, strict=strict)
        cases.append(c)
    return replace(result, cases=cases)
