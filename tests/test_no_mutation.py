"""Nothing we ship writes into the caller's arrays, or hands back memory it shares with them."""

from __future__ import annotations

import numpy as np
import pytest
from crosscheck.oracles import ORACLE_NAMES
from crosscheck.reference import loss_and_grads
from hypothesis import assume, given, settings

from .strategies import cases


def _frozen(case):
    """Read-only copies: any in-place write raises instead of passing silently."""
    def ro(a):
        a = a.copy()
        a.flags.writeable = False
        return a
    return {k: ro(v) for k, v in case.params.items()}, ro(case.X), ro(case.Y)


def _assert_untouched_and_unshared(case, params, X, Y, grads):
    for k in case.params:
        assert np.array_equal(params[k], case.params[k]), f"params[{k!r}] changed"
    assert np.array_equal(X, case.X) and np.array_equal(Y, case.Y)
    for k, g in grads.items():
        for src in (*params.values(), X, Y):
            assert not np.shares_memory(g, src), f"grads[{k!r}] shares memory with an input"


@settings(max_examples=15)
@given(case=cases(max_depth=3, max_width=8))
def test_reference_does_not_mutate(case):
    params, X, Y = _frozen(case)
    _, grads = loss_and_grads(params, X, Y, case.spec)
    _assert_untouched_and_unshared(case, params, X, Y, grads)


@pytest.mark.parametrize("oracle_name", ORACLE_NAMES)
@settings(max_examples=10)
@given(case=cases(max_depth=3, max_width=8))
def test_oracles_do_not_mutate(oracle_name, case, oracle_cache):
    oracle = oracle_cache(oracle_name)
    assume(getattr(oracle, "applies", lambda spec: True)(case.spec))  # complex-step: no ReLU
    params, X, Y = _frozen(case)
    result = oracle.evaluate(params, X, Y, case.spec)
    _assert_untouched_and_unshared(case, params, X, Y, result.grads)
