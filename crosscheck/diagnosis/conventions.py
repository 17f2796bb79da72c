"""A subject that is right under another convention: a convention, not a bug.

The conventions that change the mathematics (``reduction``, ``l2_convention``: fields of the
NetworkSpec, reference/spec.py) each scale the loss or the L2 term. Code written for a summed
loss, or CS231n's ``0.5 * reg * sum(W * W)``, checked under the defaults fails on every
gradient by a factor the catalogue would read as a bug (batch-scale, a wrong penalty). Before
any bug is named, the diagnosis asks whether the reference under another convention gives
the subject's loss and every gradient; when it does, that convention is the finding.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import product

from crosscheck.diagnosis.measure import same
from crosscheck.reference.network import loss_and_grads
from crosscheck.reference.sampling import Case
from crosscheck.reference.spec import L2_CONVENTIONS, REDUCTIONS

__all__ = ["matching_convention"]

_WORDS = {
    ("reduction", "sum"): ("the loss and its gradients summed over the batch",
                           '--reduction sum (reduction="sum")'),
    ("reduction", "mean"): ("the loss and its gradients averaged over the batch",
                            '--reduction mean (reduction="mean")'),
    ("l2_convention", "plain"): ("the penalty l2/2 sum W^2, with no division by the batch",
                                 '--l2-convention plain (l2_convention="plain")'),
    ("l2_convention", "batch"): ("the penalty l2/(2 batch) sum W^2",
                                 '--l2-convention batch (l2_convention="batch")'),
}


def matching_convention(case: Case, subject, rel: float) -> str:
    """Words naming the convention under which the reference equals ``subject`` (its loss
    and every gradient, to ``rel``) on ``case``, and how to check under it; "" when none
    does. Only conventions whose objective differs from the case's on this network (another
    batch factor, or another L2 coefficient where l2 > 0) are tried."""
    spec, batch = case.spec, case.batch
    fields = ("reduction", "l2_convention")
    others = sorted((replace(spec, reduction=r, l2_convention=c)
                     for r, c in product(REDUCTIONS, L2_CONVENTIONS)),
                    key=lambda o: sum(getattr(o, f) != getattr(spec, f) for f in fields))
    for other in others:  # the fewest changes first
        if (other.loss_scale(batch), spec.l2 / other.l2_divisor(batch)) == (
                spec.loss_scale(batch), spec.l2 / spec.l2_divisor(batch)):
            continue  # the same objective here (batch 1, or l2 = 0): it explains nothing
        loss, grads = loss_and_grads(case.params, case.X, case.Y, other)
        if not same(subject.loss, loss, rel) or not all(
                same(subject.grads[k], grads[k], rel) for k in grads):
            continue
        changed = [(f, getattr(other, f)) for f in fields if getattr(other, f) != getattr(spec, f)]
        what = "; ".join(_WORDS[c][0] for c in changed)
        flags = " ".join(_WORDS[c][1] for c in changed)
        return (f"the loss and every gradient are the reference's with {what}; check under "
                f"that convention with {flags}")
    return ""
