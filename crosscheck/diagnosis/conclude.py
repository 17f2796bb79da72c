"""One conclusion per campaign: what the failing networks say together, in one sentence."""

from __future__ import annotations

from collections import Counter

__all__ = ["conclude"]


def conclude(cases: list, subject: str) -> str:
    """A sentence over all networks: all agree; or how many failed, who was blamed, and the
    suspects the diagnosed networks named first (with how many of them named each)."""
    fails = [c for c in cases if c.verdict == "fail"]
    if not fails:
        return f"every one of the {len(cases)} networks agrees: no discrepancy found"
    blamed = Counter(name for c in fails for name in c.blame)
    who = ", ".join(f"{name} ({k})" for name, k in blamed.most_common())
    head = f"{len(fails)} of {len(cases)} networks disagree; blamed: {who}"
    diagnosed = [c for c in fails if c.suspects]
    if not diagnosed:
        return head
    first = Counter(c.suspects[0].id for c in diagnosed)
    named = [(sid, k) for sid, k in first.most_common() if sid != "unknown"]
    if not named:
        return (f"{head}. No catalogued bug explains the {len(diagnosed)} diagnosed network(s); "
                f"see the measured facts below")
    parts = ", ".join(f"{sid} in {k} of {len(diagnosed)}" for sid, k in named)
    return f"{head}. Most likely: {parts} diagnosed network(s)"
