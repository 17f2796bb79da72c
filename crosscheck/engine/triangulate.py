"""Majority vote: compare every party with every other, per tensor, and name the dissenters."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from crosscheck.engine.compare import TensorDiff, compare_tensors, element_bad, nonfinite_fact
from crosscheck.engine.tolerances import TOLERANCES, SubjectTolerance, pair_tolerance
from crosscheck.engine.trust import trust_rank

__all__ = ["Party", "TensorVote", "directional_votes", "disagreeing_elements", "triangulate"]


@dataclass(frozen=True)
class Party:
    """One gradient provider's answer: the subject under test or an oracle."""

    name: str
    kind: str  # "subject", "autodiff", "complex-step" or "fd"
    loss: float
    grads: dict
    kinks: dict = field(default_factory=dict)
    unchecked: dict = field(default_factory=dict)  # coordinates a sampled oracle did not compute
    tolerance: SubjectTolerance | None = None  # the subject's, when the user set one


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


def _union(parties, attr: str, tensor: str):
    mask = None
    for party in parties:
        m = getattr(party, attr).get(tensor)
        if m is not None:
            mask = m if mask is None else (mask | m)
    return mask


def _sides(p: Party, q: Party):
    """(a, b, tolerance): b is the more trusted side of the pair."""
    a, b = (p, q) if trust_rank(p.kind) >= trust_rank(q.kind) else (q, p)
    tol = (a.tolerance.against(b.kind) if a.kind == "subject" and a.tolerance is not None
           else pair_tolerance(a.kind, b.kind))
    return a, b, tol


def _ordered(p: Party, q: Party, tensor: str):
    """(a, b, tolerance, kink mask, unchecked mask): b is the more trusted side of the pair."""
    a, b, tol = _sides(p, q)
    return (a, b, tol, _union((a, b), "kinks", tensor),
            _union((a, b), "unchecked", tensor))


def _pair(p: Party, q: Party, tensors: list[str]) -> list[TensorDiff]:
    """The pair's comparison on "loss" and on each of ``tensors``, in that order."""
    a, b, tol = _sides(p, q)
    items = [("loss", np.asarray(a.loss), np.asarray(b.loss), None, None)]
    items += [(t, a.grads[t], b.grads[t], _union((a, b), "kinks", t),
               _union((a, b), "unchecked", t)) for t in tensors]
    return compare_tensors(items, a.name, b.name, tol, float(b.loss))


def disagreeing_elements(p: Party, q: Party, tensor: str) -> np.ndarray:
    """Mask of the elements of ``tensor`` on which p and q disagree, as the vote judges them."""
    a, b, tol, exclude, unchecked = _ordered(p, q, tensor)
    if unchecked is not None:
        exclude = unchecked if exclude is None else (exclude | unchecked)
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
    pairs = list(combinations(parties, 2))
    by_pair = [_pair(p, q, tensors) for p, q in pairs]  # each pair over every tensor at once
    votes = []
    for t, tensor in enumerate(["loss", *tensors]):
        diffs = tuple(compared[t] for compared in by_pair)
        agree = {frozenset((p.name, q.name)): d.ok for (p, q), d in zip(pairs, diffs, strict=True)}
        majority, dissenters, status = _vote(names, agree)
        votes.append(TensorVote(tensor, diffs, majority, dissenters, status))
    return votes


def directional_votes(parties: list[Party], fd_name: str, directional, votes: list[TensorVote]
                      ) -> list[TensorVote]:
    """One extra vote per tensor T, named ``T.u``: the finite-difference derivative along a
    random unit direction u_T (``directional``, an :class:`oracles.fd.DirectionalResult`)
    against ``sum(grad_T * u_T)`` of every other party (the adjoint test).

    |sum(err * u)| <= ||err||_2, so the fd row of the table applies with its gradient term
    scaled by ||grad_T||_2 instead of max|grad_T|. Pairs without fd keep their agreement from
    the tensor's own vote in ``votes``, and so do pairs with another sampled party
    (complex-step on a large network). A direction whose difference crossed a ReLU kink is
    excluded (counted in n_excluded) and the vote agrees.
    """
    tol = TOLERANCES["fd"]
    by_tensor = {v.tensor: v for v in votes}
    names = [p.name for p in parties]
    out = []
    for tensor, u in directional.directions.items():
        d_fd = float(directional.derivatives[tensor])
        kinked = bool(directional.kinked[tensor])
        agree = {frozenset((d.a, d.b)): d.ok for d in by_tensor[tensor].diffs}
        diffs = []
        for p in parties:
            unchecked = p.unchecked.get(tensor)
            if p.name == fd_name or (unchecked is not None and unchecked.any()):
                continue  # another sampled party has no full gradient to project: its tensor
                # vote on the shared sample stands for the pair
            with np.errstate(over="ignore", invalid="ignore"):
                dot = float(np.sum(p.grads[tensor] * u))
                atol = (tol.atol_grad * float(np.linalg.norm(p.grads[tensor]))
                        + tol.atol_loss * max(1.0, abs(p.loss)))
            diff = abs(dot - d_fd)
            # non-finite is a failure even across a kink (a kink excuses fd, not a NaN)
            finite = bool(np.isfinite(dot) and np.isfinite(d_fd))
            ok = finite and (kinked or bool(diff <= atol + tol.rtol * abs(dot)))
            a, b = (p.name, fd_name) if trust_rank(p.kind) >= trust_rank("fd") else (fd_name, p.name)
            values = {p.name: dot, fd_name: d_fd}
            diffs.append(TensorDiff(
                tensor=f"{tensor}.u", a=a, b=b, ok=ok, max_abs=diff,
                rel_norm=diff / max(abs(dot) + abs(d_fd), 1e-300), worst_index=(),
                a_value=values[a], b_value=values[b], atol=atol, rtol=tol.rtol,
                n_bad=int(not ok), n_compared=int(not kinked), n_excluded=int(kinked),
                problem=nonfinite_fact(np.array(values[a]), np.array(values[b]), a, b)))
            agree[frozenset((p.name, fd_name))] = ok
        majority, dissenters, status = _vote(names, agree)
        out.append(TensorVote(f"{tensor}.u", tuple(diffs), majority, dissenters, status))
    return out
