"""A 1,000-network soak: the correct reference against every oracle raises no false alarm."""

from __future__ import annotations

import pytest
from crosscheck.oracles import ORACLE_NAMES, get_oracle
from crosscheck.reference import loss_and_grads

from crosscheck.engine.campaign import CampaignOptions, run_campaign

SOAK_NETWORKS = 1000
_HALVES = 2  # two tests of 500 networks, so pytest-xdist runs them side by side


def _failures_message(result) -> str:
    lines = []
    for c in result.failures[:5]:
        lines.append(f"case {c.index} seed {c.case_seed} [{c.spec.describe()} "
                     f"batch={c.case.batch} scale={c.case.scale}] blame {c.blame} {c.error}")
        lines += ["  " + d.message() for v in c.failing_votes()[:3] for d in v.diffs if not d.ok]
    return "\n".join(lines)


@pytest.mark.parametrize("half", range(_HALVES))
def test_soak_1000_networks_all_oracles_no_false_alarm(half):
    oracles = [get_oracle(n) for n in ORACLE_NAMES]
    result = run_campaign(loss_and_grads, "reference", oracles,
                          CampaignOptions(networks=SOAK_NETWORKS // _HALVES, seed=20261123 + half))
    assert len(result.cases) == SOAK_NETWORKS // _HALVES
    assert result.verdict == "pass", _failures_message(result)
    # every oracle took part: complex-step on the ReLU-free networks, fd on the rest
    assert any("fd" in c.skipped for c in result.cases)
    assert any("complex-step" in c.skipped for c in result.cases)
