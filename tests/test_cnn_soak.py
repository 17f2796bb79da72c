"""1,000 random CNN-style networks through the gate: the correct reference against every
oracle raises no false alarm."""

from __future__ import annotations

import pytest
from crosscheck.oracles import ORACLE_NAMES
from crosscheck.reference import cnn_loss_and_grads

from crosscheck.engine.campaign import CampaignOptions, run_campaign

from .helpers import failures_message

CNN_NETWORKS = 1000
_PARTS = 4  # four tests of 250 networks, so pytest-xdist spreads them over its workers


@pytest.mark.slow  # a long soak: .ci/run runs it after the default gate
@pytest.mark.parametrize("part", range(_PARTS))
def test_1000_random_cnns_all_oracles_no_false_alarm(part, oracle_cache):
    oracles = [oracle_cache(n) for n in ORACLE_NAMES]
    options = CampaignOptions(architecture="cnn", networks=CNN_NETWORKS // _PARTS,
                              seed=20261300 + part)
    result = run_campaign(cnn_loss_and_grads, "reference", oracles, options)
    assert len(result.cases) == CNN_NETWORKS // _PARTS
    assert result.verdict == "pass", failures_message(result)
    for c in result.cases:  # torch, tensorflow and fd judged every network, fd in full;
        # complex-step sat each out, saying why
        assert set(c.seconds) == {"reference", "torch", "tensorflow", "fd"}
        assert c.fd_mode == "full" and "complex-step" in c.skipped
