"""One conclusion per campaign: what the failing networks say together, in one sentence."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

__all__ = ["Findings", "conclude", "findings"]


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


def findings(cases: list) -> Findings:
    fails = [c for c in cases if c.verdict == "fail"]
    diagnosed = [c for c in fails if c.suspects]
    named: Counter = Counter()
    unknown = 0
    for c in diagnosed:
        ids = [i for i in getattr(c.suspects[0], "ids", (c.suspects[0].id,)) if i != "unknown"]
        if not ids:
            unknown += 1
        named.update(ids)
    blamed = Counter(name for c in fails for name in c.blame)
    return Findings(failed=len(fails), networks=len(cases), diagnosed=len(diagnosed),
                    named=tuple(named.most_common()), unknown=unknown,
                    blamed=tuple(blamed.most_common()))


def conclude(cases: list, subject: str) -> str:
    """A sentence over all networks: all agree; or how many failed, who was blamed, and the
    catalogued bugs the diagnosed networks name (with how many of them name each)."""
    f = findings(cases)
    if not f.failed:
        return f"every one of the {f.networks} networks agrees: no discrepancy found"
    who = ", ".join(f"{name} ({k})" for name, k in f.blamed)
    head = f"{f.failed} of {f.networks} networks disagree; blamed: {who}"
    if not f.diagnosed:
        return head
    if not f.named:
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
    return f"{head}. Explained by {parts} ({where}){tail}"
