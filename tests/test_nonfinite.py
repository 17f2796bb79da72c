"""Non-finite values are facts, never a difference: NaN against NaN concludes nothing, values
near 1e308 compare without a RuntimeWarning, and a kink never excuses a NaN."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from crosscheck.oracles.fd import DirectionalResult

from crosscheck.engine.compare import compare_tensor
from crosscheck.engine.tolerances import TOLERANCES
from crosscheck.engine.triangulate import Party, directional_votes, triangulate

AD = TOLERANCES["autodiff"]


@pytest.mark.parametrize("bad, word", [(np.nan, "NaN"), (np.inf, "Inf")])
def test_non_finite_on_both_sides_is_stated_for_each_side_and_fails(bad, word):
    a = np.array([[bad, 1.0], [2.0, 3.0]])
    d = compare_tensor("W1", a, a.copy(), "subject", "torch", AD, loss=1.0)
    assert not d.ok
    assert d.message() == (f"W1: subject vs torch: 1 non-finite value(s) ({word}) from subject "
                           f"and 1 ({word}) from torch, at the same places: not compared there")


def test_non_finite_at_other_places_is_stated_for_each_side():
    a, b = np.array([np.nan, 1.0]), np.array([1.0, np.inf])
    d = compare_tensor("b1", a, b, "subject", "torch", AD, loss=1.0)
    assert not d.ok and d.problem == ("1 non-finite value(s) (NaN) from subject and 1 (Inf) "
                                      "from torch")


@pytest.mark.parametrize("a, b, ok", [([1e308, 1.0], [-1e308, 1.0], False),
                                      ([1.7e308], [1.7e308], True),
                                      ([np.inf], [np.inf], False),
                                      ([-np.inf, 1e308], [np.inf, 1e308], False)])
def test_values_near_the_float64_limit_compare_without_a_warning(a, b, ok):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = compare_tensor("W1", np.array(a), np.array(b), "subject", "torch", AD, loss=1.0)
    assert d.ok is ok


def test_a_kink_never_excuses_a_nan_in_the_directional_check():
    g = {"W1": np.ones((2, 2))}
    nan = {"W1": np.full((2, 2), np.nan)}
    parties = [Party("subject", "subject", 1.0, nan), Party("torch", "autodiff", 1.0, g),
               Party("fd", "fd", 1.0, g)]
    u = {"W1": np.full((2, 2), 0.5)}
    directional = DirectionalResult("fd", 1.0, {"W1": 2.0}, u, {"W1": True})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (vote,) = directional_votes(parties, "fd", directional, triangulate(parties, ["W1"]))
    diff = next(d for d in vote.diffs if "subject" in (d.a, d.b))
    assert not diff.ok and vote.dissenters == ("subject",)
    assert diff.problem == "1 non-finite value(s) (NaN/Inf) from subject"
