"""The wall clock as a safety net, never as a budget.

The re-runs after a campaign (the diagnosis's, the shrinker's) are budgeted in counts: tries
and networks, so the same seed gives the same report on an idle or a loaded machine. The one
use of the wall clock left is a generous limit (:data:`SAFETY_NET_SECONDS`, far beyond what
the counted budgets take on a normal machine) that ends re-runs gone pathological; when it
fires, the report says so (``report.json``'s ``safety_net``, a note in the summary), so a
report it cut is never mistaken for a normal one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["SAFETY_NET_SECONDS", "SafetyNet"]

# Ten minutes of re-runs: the counted budgets (5 diagnosed networks, 5 x 60 shrinking tries)
# take seconds to a minute on a normal machine even for large networks.
SAFETY_NET_SECONDS = 600.0


@dataclass
class SafetyNet:
    """A wall-clock limit of ``seconds`` from creation. :meth:`fired` answers whether it has
    fired, and remembers, for the report, what it first cut (``cut``)."""

    seconds: float = SAFETY_NET_SECONDS
    started: float = field(default_factory=time.monotonic)
    cut: str = ""  # what the limit first stopped; "" while it has not fired

    def fired(self, what: str = "re-runs") -> bool:
        """True once ``seconds`` have passed; the first call that finds it so records ``what``."""
        if not self.cut and time.monotonic() - self.started > self.seconds:
            self.cut = what
        return bool(self.cut)

    def to_dict(self) -> dict:
        """The report's ``safety_net``: the limit, whether it fired and what it cut first."""
        return {"limit_seconds": self.seconds, "fired": bool(self.cut), "cut": self.cut}
