"""Whom to believe: the one order of the kinds of answer, most trusted first.

- ``autodiff``: PyTorch and TensorFlow differentiate their own ops exactly, up to rounding
  (~1e-12 on float64 networks), and neither shares code with the reference or the subject.
- ``complex-step``: exact up to rounding too, but it is crosscheck's own forward and it sits
  out networks with kinks, so an autodiff answer goes first where both exist.
- ``fd``: central differences carry truncation and cancellation error (~1e-7).
- ``subject``: the code on trial.

Everything that needs "the trusted side" reads this: the vote (which side of a pair sets the
tolerance), the shrinker's failure signature, the diagnosis's reference party and the
pitfall tables.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["TRUST_ORDER", "most_trusted", "trust_rank"]

TRUST_ORDER: tuple[str, ...] = ("autodiff", "complex-step", "fd", "subject")


def trust_rank(kind: str) -> int:
    """0 for the most trusted kind of answer; a ``ValueError`` for a kind not in the order."""
    return TRUST_ORDER.index(kind)


def most_trusted(parties: Iterable, *, excluding: Iterable[str] = ()):
    """The most trusted of ``parties`` (objects with ``.name`` and ``.kind``) whose name is not
    in ``excluding``; the first listed among equals; None when none is left."""
    skip = set(excluding)
    return min((p for p in parties if p.name not in skip), key=lambda p: trust_rank(p.kind),
               default=None)
