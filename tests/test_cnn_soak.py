"""1,000 random CNN-style networks through the gate: the correct reference against every
oracle raises no false alarm."""

from __future__ import annotations

import pytest
from crosscheck.oracles import ORACLE_NAMES
from crosscheck.reference import cnn_loss_and_grads

from crosscheck.engine.campaign import CampaignOptions, run_campaign

CNN_NETWORKS = 1000
_PARTS = 4  # four tests of 250 networks, so pytest-xdist spreads them over its workers


def _failures_message(result) -> str:
    lines = []
    for c in result.failures[:5]:
        lines.append(f"case {c.index} seed {c.case_seed} [{c.spec.describe()} "
                     f"batch={c.case.batch} scale={c.case.scale}] blame {c.blame} {c.error}")
        lines += ["  " + d.message() for v in c.failing_votes()[:3] for d in v.diffs if not d.ok]
    return "\n".join(lines)


@pytest.mark.parametrize("part", range(_PARTS))
def test_1000_random_cnns_all_oracles_no_false_alarm(part, oracle_cache):
    oracles = [oracle_cache(n) for n in ORACLE_NAMES]
    options = CampaignOptions(architecture="cnn", networks=CNN_NETWORKS // _PARTS,
                              seed=20261300 + part)
    result = run_campaign(cnn_loss_and_grads, "reference", oracles, options)
    assert len(result.cases) == CNN_NETWORKS // _PARTS
    assert result.verdict == "pass", _failures_message(result)
    for c in result.cases:  # torch, tensorflow and fd judged every network, fd in full;
        # complex-step sat each out, saying why
        assert set(c.seconds) == {"reference", "torch", "tensorflow", "fd"}
        assert c.fd_mode == "full" and "complex-step" in c.skipped
