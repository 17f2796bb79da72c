"""The gate as `crosscheck run` runs it: the reference against all three oracles."""

from __future__ import annotations

import numpy as np
from crosscheck.reference import loss_and_grads

from crosscheck.engine.campaign import CampaignOptions, case_for, run_campaign


def test_two_hundred_random_networks_agree_with_all_oracles(oracle_cache, crosscheck_record):
    """The cases go into `pytest --crosscheck-report DIR` (a no-op without the option)."""
    oracles = [oracle_cache(n) for n in ("torch", "tensorflow", "fd")]
    result = run_campaign(loss_and_grads, "reference", oracles, CampaignOptions(networks=200, seed=1))
    for c in result.cases:
        crosscheck_record(c, name=f"gate-case-{c.index:03d}")
    failures = [f"case {c.index} {c.spec.describe()}: blame {c.blame}" for c in result.failures]
    assert result.verdict == "pass", "\n".join(failures)
    # the campaign really covers the space it claims to
    specs = [c.spec for c in result.cases]
    assert {s.loss for s in specs} == {"mse", "softmax_cross_entropy", "sigmoid_bce"}
    assert {a for s in specs for a in s.activations} == {"identity", "sigmoid", "tanh", "relu"}
    assert {s.depth for s in specs} == {1, 2, 3, 4}
    assert any(s.l2 > 0 for s in specs) and any(s.l2 == 0 for s in specs)
    assert {c.case.batch for c in result.cases} >= {1, 16}


def test_each_case_regenerates_alone_from_seed_and_index():
    options = CampaignOptions(networks=5, seed=9)
    a, b = case_for(options, 3), case_for(options, 3)
    assert a.spec == b.spec and np.array_equal(a.X, b.X)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert case_for(options, 4).spec != a.spec or not np.array_equal(case_for(options, 4).X, a.X)
