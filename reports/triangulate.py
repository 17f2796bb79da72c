"""Majority vote: compare every party with every other, per tensor, and name the dissenters."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from .compare import TensorDiff, compare_tensor, element_bad
from .tolerances import pair_tolerance

__all__ = ["Party", "TensorVote", "disagreeing_elements", "triangulate"]

_TRUST = {"autodiff": 2, "fd": 1, "subject": 0}


@dataclass(frozen=True)
class Party:
    """One gradient provider's answer: the subject under test or an oracle."""

    name: str
    kind: str  # "subject", "autodiff" or "fd"
    loss: float
    grads: dict
    kinks: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TensorVote:
    """The outcome for one tensor ("loss" is compared like a 0-d tensor)."""

    tensor: str
    diffs: tuple[TensorDiff, ...]
    majority: tuple[str, ...]  # the largest group that agrees with itself (empty: none)
    dissenters: tuple[str, ...]  # parties outside a strict majority
    status: str  # "agree" | "dissent" | "no-majority"

    @property
    def ok(self) -> bool:
        return self.status == "agree"


def _ordered(p: Party, q: Party, tensor: str):
    """(a, b, tolerance, excluded mask): b is the more trusted side of the pair."""
    a, b = (p, q) if _TRUST[p.kind] <= _TRUST[q.kind] else (q, p)
    exclude = None
    for party in (a, b):
        k = party.kinks.get(tensor)
        if k is not None:
            exclude = k if exclude is None else (exclude | k)
    return a, b, pair_tolerance(a.kind, b.kind), exclude


def _pair(p: Party, q: Party, tensor: str) -> TensorDiff:
    a, b, tol, exclude = _ordered(p, q, tensor)
    if tensor == "loss":
        return compare_tensor("loss", np.asarray(a.loss), np.asarray(b.loss), a.name, b.name,
                              tol, float(b.loss))
    return compare_tensor(tensor, a.grads[tensor], b.grads[tensor], a.name, b.name, tol,
                          float(b.loss), exclude)


def disagreeing_elements(p: Party, q: Party, tensor: str) -> np.ndarray:
    """Mask of the elements of ``tensor`` on which p and q disagree, as the vote judges them."""
    a, b, tol, exclude = _ordered(p, q, tensor)
    return element_bad(a.grads[tensor], b.grads[tensor], tol, float(b.loss), exclude)


def _vote(names: list[str], agree: dict[frozenset, bool]) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    if all(agree.values()):
        return tuple(names), (), "agree"
    best: list[tuple[str, ...]] = []
    for size in range(len(names), 1, -1):
        cliques = [c for c in combinations(names, size)
                   if all(agree[frozenset(pair)] for pair in combinations(c, 2))]
        if cliques:
            best = cliques
            break
    if len(best) == 1 and 2 * len(best[0]) > len(names):
        majority = best[0]
        return majority, tuple(n for n in names if n not in majority), "dissent"
    return (), (), "no-majority"


def triangulate(parties: list[Party], tensors: list[str]) -> list[TensorVote]:
    """Per tensor (and "loss"), all pairwise comparisons and the majority verdict.

    A lone dissenter among three or more parties is blamed; a tie (2 against 2, or two
    parties that disagree) has no majority and blames nobody.
    """
    names = [p.name for p in parties]
    votes = []
    for tensor in ["loss", *tensors]:
        diffs = []
        agree: dict[frozenset, bool] = {}
        for p, q in combinations(parties, 2):
            d = _pair(p, q, tensor)
            diffs.append(d)
            agree[frozenset((p.name, q.name))] = d.ok
        majority, dissenters, status = _vote(names, agree)
        votes.append(TensorVote(tensor, tuple(diffs), majority, dissenters, status))
    return votes
