"""A campaign: N random networks, each checked by the subject against the chosen oracles."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from crosscheck.engine.check import CaseResult, check_case
from crosscheck.engine.tolerances import SubjectTolerance
from crosscheck.reference.sampling import Case, random_case
from crosscheck.reference.spec import ACTIVATIONS, DEFAULT_LOSSES, LOSSES

__all__ = ["CampaignOptions", "CampaignResult", "case_for", "run_campaign"]


@dataclass(frozen=True)
class CampaignOptions:
    """What to generate. ``None`` means "draw at random" for that field."""

    networks: int = 200
    seed: int = 0
    sizes: tuple[int, ...] | None = None
    losses: tuple[str, ...] = DEFAULT_LOSSES
    hidden_activations: tuple[str, ...] = ACTIVATIONS
    l2: float | None = None
    batch: int | None = None
    max_depth: int = 4
    max_width: int = 32
    scale: float | None = None  # init scale (saturation); None draws it per network

    def to_dict(self) -> dict:
        return {
            "networks": self.networks, "seed": self.seed,
            "sizes": list(self.sizes) if self.sizes else None, "losses": list(self.losses),
            "hidden_activations": list(self.hidden_activations), "l2": self.l2,
            "batch": self.batch, "max_depth": self.max_depth, "max_width": self.max_width,
            "scale": self.scale,
        }


def case_for(options: CampaignOptions, index: int) -> Case:
    """Case ``index`` of the campaign: its own Generator seeded with (seed, index), so any case
    can be regenerated alone."""
    rng = np.random.default_rng([options.seed, index])
    return random_case(rng, sizes=options.sizes, losses=options.losses,
                       hidden_activations=options.hidden_activations, l2=options.l2,
                       batch=options.batch, max_depth=options.max_depth,
                       max_width=options.max_width, scale=options.scale)


@dataclass
class CampaignResult:
    options: CampaignOptions
    subject: str
    oracles: list
    cases: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0
    # one sentence over the whole campaign, set by whoever drives it (the diagnosis for verify)
    conclusion: str = ""

    @property
    def failures(self) -> list[CaseResult]:
        return [c for c in self.cases if c.verdict == "fail"]

    @property
    def verdict(self) -> str:
        return "fail" if self.failures else "pass"


def run_campaign(subject_fn, subject: str, oracles: list, options: CampaignOptions,
                 progress: Callable[[int, int, CaseResult], None] | None = None,
                 tolerance: SubjectTolerance | None = None) -> CampaignResult:
    result = CampaignResult(options=options, subject=subject, oracles=[o.name for o in oracles])
    t0 = time.perf_counter()
    for index in range(options.networks):
        case = case_for(options, index)
        r = check_case(case, subject_fn, oracles, subject=subject, index=index,
                       case_seed=[options.seed, index], tolerance=tolerance)
        result.cases.append(r)
        if progress is not None:
            progress(index + 1, options.networks, r)
    result.seconds = time.perf_counter() - t0
    return result
