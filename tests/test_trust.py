"""One trust order (crosscheck/engine/trust.py) read by the vote, the shrinker and the
diagnosis: each picks the same trusted side from the same parties."""

from __future__ import annotations

import numpy as np
import pytest

from crosscheck.diagnosis.diagnose import _trusted
from crosscheck.engine.triangulate import Party, triangulate
from crosscheck.engine.trust import TRUST_ORDER, most_trusted, trust_rank

KIND = {"torch": "autodiff", "cs": "complex-step", "fd": "fd", "me": "subject"}


def _parties(names):
    g = {"W1": np.ones((2, 2))}
    return [Party(n, KIND[n], 1.0, {k: v * (i + 1) for k, v in g.items()})
            for i, n in enumerate(names)]


def test_the_order_is_autodiff_complex_step_fd_subject():
    assert TRUST_ORDER == ("autodiff", "complex-step", "fd", "subject")
    assert [trust_rank(k) for k in TRUST_ORDER] == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        trust_rank("oracle")


@pytest.mark.parametrize("names, accused, expected", [
    (("me", "fd", "cs", "torch"), "me", "torch"),
    (("me", "fd", "cs"), "me", "cs"),       # complex step before fd when no autodiff ran
    (("fd", "me"), "fd", "me"),
    (("me", "fd", "torch"), "torch", "fd"),
])
def test_every_reader_picks_the_same_trusted_party(names, accused, expected):
    parties = _parties(names)
    assert most_trusted(parties, excluding=(accused,)).name == expected

    class Result:  # what the diagnosis reads of a CaseResult
        pass

    result = Result()
    result.parties = parties
    assert _trusted(result, accused).name == expected


def test_the_vote_puts_the_more_trusted_party_on_the_b_side():
    parties = _parties(("me", "fd", "cs", "torch"))
    for vote in triangulate(parties, ["W1"]):
        for d in vote.diffs:
            assert trust_rank(KIND[d.b]) <= trust_rank(KIND[d.a]), (d.a, d.b)
