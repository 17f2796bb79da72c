"""check_case on subjects that are wrong in the ways people are wrong."""

from __future__ import annotations

import numpy as np
import pytest
from crosscheck.reference import loss_and_grads, random_case

from crosscheck.engine.check import SubjectError, check_case, run_subject


@pytest.fixture
def case():
    return random_case(np.random.default_rng(4), sizes=(3, 5, 2), losses=("mse",), batch=6)


def _bias_mean(params, X, Y, spec):
    loss, g = loss_and_grads(params, X, Y, spec)
    return loss, {k: v / X.shape[0] if k.startswith("b") else v for k, v in g.items()}


def test_correct_subject_passes(case, oracle_cache):
    r = check_case(case, loss_and_grads, [oracle_cache("torch"), oracle_cache("fd")])
    assert r.verdict == "pass" and r.blame == []


def test_bias_bug_is_blamed_on_the_subject_and_only_on_biases(case, oracle_cache):
    oracles = [oracle_cache(n) for n in ("torch", "tensorflow", "fd")]
    r = check_case(case, _bias_mean, oracles)
    assert r.verdict == "fail" and r.blame == ["subject"]
    assert {v.tensor for v in r.failing_votes()} == {"b1", "b2"}


def _mutates_X(params, X, Y, spec):
    X[0, 1] = 99.0
    return loss_and_grads(params, X, Y, spec)


def _transposed(params, X, Y, spec):
    loss, g = loss_and_grads(params, X, Y, spec)
    return loss, {**g, "W1": g["W1"].T}


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (_mutates_X, r"mutated its input X: 1 element\(s\) changed, first at \[0, 1\]"),
        (_transposed, r"grads\['W1'\] has shape \(5, 3\), expected \(3, 5\) \(transposed\?\)"),
        (lambda p, X, Y, s: (1.0, {"W1": p["W1"]}), r"missing \['b1', 'W2', 'b2'\]"),
        (lambda p, X, Y, s: 1 / 0, "raised ZeroDivisionError: division by zero"),
        (lambda p, X, Y, s: (np.ones(3), loss_and_grads(p, X, Y, s)[1]), "loss must be a scalar"),
        (lambda p, X, Y, s: loss_and_grads(p, X, Y, s)[1], r"must return \(loss, grads\)"),
    ],
)
def test_subject_errors_are_one_line_verdicts(case, fn, message):
    with pytest.raises(SubjectError, match=message) as info:
        run_subject(fn, case)
    assert "\n" not in str(info.value)


def test_subject_nan_gradient_fails_the_case(case, oracle_cache):
    def nan_bias(params, X, Y, spec):
        loss, g = loss_and_grads(params, X, Y, spec)
        g["b2"] = np.full_like(g["b2"], np.nan)
        return loss, g

    r = check_case(case, nan_bias, [oracle_cache("torch"), oracle_cache("tensorflow")])
    assert r.verdict == "fail" and r.blame == ["subject"]
    [vote] = r.failing_votes()
    assert vote.tensor == "b2" and "non-finite" in vote.diffs[0].message()
