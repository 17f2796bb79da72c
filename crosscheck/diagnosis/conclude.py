"""One conclusion per campaign: what the failing networks say together, in one sentence."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from crosscheck.diagnosis.diagnose import LOSS_PART
from crosscheck.diagnosis.record import trace

__all__ = ["GRADIENTS_RIGHT", "Findings", "conclude", "findings", "loss_only"]

# how the conclusion of a function whose gradients are right everywhere, its loss not, begins
GRADIENTS_RIGHT = "the gradients are right on every network"


@dataclass(frozen=True)
class Findings:
    """What the diagnosed networks of a campaign say together."""

    failed: int
    networks: int
    diagnosed: int
    # catalogue ids named first on some diagnosed network, with how many networks named each,
    # most often first (a combination counts for each of its ids)
    named: tuple[tuple[str, int], ...]
    unknown: int  # diagnosed networks that no catalogued bug explains
    blamed: tuple[tuple[str, int], ...]
    # ids left out of ``named``: each named only on networks where the subject's values are
    # NaN/Inf, fewer than the networks no catalogued bug explains (an overflow hides the rest)
    weak: tuple[tuple[str, int], ...] = ()
    # ids named only where they explain the loss alone (the gradients' bug unexplained)
    partial: tuple[str, ...] = ()


def _overflowed(case) -> bool:
    """The subject's answer on ``case`` holds NaN/Inf: then a replay matches it only where
    both are finite, and an overflow can hide what else is wrong."""
    if not case.parties:
        return False
    subject = next((p for p in case.parties if getattr(p, "kind", "") == "subject"),
                   case.parties[0])
    return not math.isfinite(subject.loss) or any(
        not np.all(np.isfinite(g)) for g in subject.grads.values())


def findings(cases: list) -> Findings:
    fails = [c for c in cases if c.verdict == "fail"]
    diagnosed = [c for c in fails if c.suspects]
    named: Counter = Counter()
    finite: Counter = Counter()  # per id, the networks naming it where the subject is finite
    unknown = 0
    for c in diagnosed:
        ids = [i for i in getattr(c.suspects[0], "ids", (c.suspects[0].id,)) if i != "unknown"]
        if not ids:
            unknown += 1
        named.update(ids)
        if not _overflowed(c):
            finite.update(ids)
    weak = tuple((pid, k) for pid, k in named.most_common() if not finite[pid] and k < unknown)
    whole = {i for c in diagnosed if LOSS_PART not in c.suspects[0].evidence
             for i in getattr(c.suspects[0], "ids", ())}
    partial = tuple(pid for pid in named if pid not in whole)
    blamed = Counter(name for c in fails for name in c.blame)
    return Findings(failed=len(fails), networks=len(cases), diagnosed=len(diagnosed),
                    named=tuple((pid, k) for pid, k in named.most_common()
                                if (pid, k) not in weak),
                    unknown=unknown, blamed=tuple(blamed.most_common()), weak=weak,
                    partial=partial)


def _about(x: float) -> str:
    """``x`` to two significant digits, with thousands separators: 6666 -> "6,700"."""
    return f"{float(f'{x:.2g}'):,.0f}"


def _largest_logit(case) -> float:
    return float(np.abs(trace(case).z[-1]).max())


def _edges_words(fails: list) -> str:
    """Which edge networks ``fails`` are, in words ("" unless every one is an edge network of
    one kind): "the edge network with logits near 6,700"."""
    kinds = {c.edge for c in fails}
    if len(kinds) != 1 or "" in kinds:
        return ""
    kind = kinds.pop()
    what = f"the {len(fails)} edge networks" if len(fails) > 1 else "the edge network"
    if kind != "large-logits":
        return f"{what} with {kind.replace('-', ' ').replace('relu', 'ReLU')}"
    sizes = sorted(_about(_largest_logit(c.case)) for c in fails)
    sizes = sorted(set(sizes), key=lambda t: float(t.replace(",", "")))
    near = (sizes[0] if len(sizes) == 1 else " and ".join(sizes) if len(sizes) == 2
            else f"{sizes[0]} to {sizes[-1]}")
    return f"{what} with logits near {near}"


def loss_only(cases: list, subject: str, named: str = "") -> str:
    """The conclusion when every gradient of every network agrees and only ``subject``'s
    loss fails ("" otherwise): where it fails (edge networks by name, with their logit
    sizes), whether the loss overflows (not finite where the oracles' is), and ``named``,
    the catalogued bugs the diagnosis named ("" for none)."""
    fails = [c for c in cases if c.verdict == "fail"]
    if not fails or any(c.error or not c.parties for c in cases) or any(
            c.blame != [subject] for c in fails):
        return ""
    if any(not v.ok for c in cases for v in c.votes if v.tensor != "loss"):
        return ""
    where = _edges_words(fails) or f"{len(fails)} of {len(cases)} networks"
    edged = [c for c in fails if c.edge]
    if edged and len(edged) < len(fails):
        where += f" ({len(edged)} of them edge networks)"
    overflows = all(not math.isfinite(c.parties[0].loss)
                    and all(math.isfinite(p.loss) for p in c.parties[1:]) for c in fails)
    how = ("it overflows to inf or NaN (the oracles' loss is finite)" if overflows
           else "it differs from the oracles' loss")
    if named:
        how = how.replace(" (the oracles' loss is finite)", "") + f" ({named})"
    elif any(c.suspects for c in fails):
        how += "; no catalogued bug explains it, the measured facts are below"
    return f"{GRADIENTS_RIGHT}; only the loss fails, on {where}: {how}"


def conclude(cases: list, subject: str, convention: str = "") -> str:
    """A sentence over all networks: all agree; or how many failed, who was blamed, and the
    catalogued bugs the diagnosed networks name (with how many of them name each). When
    every gradient agrees and only the loss fails, it says so first (:func:`loss_only`).
    ``convention``: a calling convention that explains every failing network (the unrolled
    order), said in place of the bugs."""
    f = findings(cases)
    if not f.failed:
        return f"every one of the {f.networks} networks agrees: no discrepancy found"
    only = loss_only(cases, subject, " + ".join(pid for pid, _ in f.named))
    if only:
        return only
    who = ", ".join(f"{name} ({k})" for name, k in f.blamed)
    head = f"{f.failed} of {f.networks} networks disagree; blamed: {who}"
    if convention:
        return f"{head}. It is the convention, not the backprop: {convention}"
    if not f.diagnosed:
        return head
    if not f.named:
        if f.weak:
            k = sum(n for _, n in f.weak)
            return (f"{head}. No catalogued bug explains {f.unknown} of the {f.diagnosed} "
                    f"diagnosed network(s); on the other {k}, whose values overflow to NaN/Inf, "
                    f"{' + '.join(pid for pid, _ in f.weak)} reproduces them, which the overflow "
                    f"alone can do: the measured facts are below")
        return (f"{head}. No catalogued bug explains the {f.diagnosed} diagnosed network(s); "
                f"the measured facts are below")
    parts = " + ".join(pid for pid, _ in f.named)
    counts = {k for _, k in f.named}
    if len(counts) == 1:
        k = counts.pop()
        where = f"{'each ' if len(f.named) > 1 else ''}in {k} of {f.diagnosed} diagnosed network(s)"
    else:
        where = ", ".join(f"{pid} in {k}" for pid, k in f.named) + f" of {f.diagnosed} diagnosed"
    tail = f"; no catalogued bug explains {f.unknown} of them" if f.unknown else ""
    if f.partial and set(f.partial) == {pid for pid, _ in f.named}:
        return (f"{head}. Explained in part by {parts} ({where}): it reproduces the loss, but no "
                f"catalogued bug explains the gradients"
                + (f", nor anything on the {f.unknown} other(s)" if f.unknown else "")
                + "; the measured facts are below")
    return f"{head}. Explained by {parts} ({where}){tail}"
