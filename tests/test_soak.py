"""A 1,000-network soak: the correct reference against every oracle raises no false alarm."""

from __future__ import annotations

import pytest
from crosscheck.oracles import ORACLE_NAMES, get_oracle
from crosscheck.reference import loss_and_grads

from crosscheck.engine.campaign import CampaignOptions, run_campaign

from .helpers import failures_message

SOAK_NETWORKS = 1000
_HALVES = 2  # two tests of 500 networks, so pytest-xdist runs them side by side


@pytest.mark.slow  # a long soak: .ci/run runs it after the default gate
@pytest.mark.parametrize("half", range(_HALVES))
def test_soak_1000_networks_all_oracles_no_false_alarm(half):
    oracles = [get_oracle(n) for n in ORACLE_NAMES]
    result = run_campaign(loss_and_grads, "reference", oracles,
                          CampaignOptions(networks=SOAK_NETWORKS // _HALVES, seed=20261123 + half))
    assert len(result.cases) == SOAK_NETWORKS // _HALVES
    assert result.verdict == "pass", failures_message(result)
    # every oracle took part: complex-step on the ReLU-free networks, fd on the rest
    assert any("fd" in c.skipped for c in result.cases)
    assert any("complex-step" in c.skipped for c in result.cases)
