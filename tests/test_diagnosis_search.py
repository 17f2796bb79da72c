"""The diagnosis's search rules an L2 prediction out from dot products alone
(crosscheck/diagnosis/compose.py ``_apart``) only where the full comparison (``same``) would
have said no: the shortcut may change the time of the search, never its answer."""

from __future__ import annotations

import itertools

import numpy as np

from crosscheck.diagnosis.compose import _apart, _dots
from crosscheck.diagnosis.measure import same

RTOL = 1e-8


def test_a_prediction_ruled_out_at_once_is_one_the_comparison_rejects():
    rng = np.random.default_rng(20261204)
    pruned = kept = 0
    for trial in range(300):
        shape = tuple(int(n) for n in rng.integers(1, 9, size=2))
        data = rng.normal(size=shape) * 10.0 ** rng.integers(-6, 6)
        p = rng.normal(size=shape) * 10.0 ** rng.integers(-6, 6)
        e0, l20 = rng.choice([1.0, 0.5, 2.0, -1.0, 0.25, 3.0]), rng.choice([0.0, 0.5, 1.0, 2.0])
        # the subject's gradient: a prediction exactly, within rounding, or just outside rtol
        noise = rng.choice([0.0, 1e-12, 1e-9, 1e-7, 1e-3])
        g = e0 * data + l20 * p
        g = g + noise * np.abs(g).max(initial=0.0) * rng.normal(size=shape)
        dots = _dots(g, data, p)
        for e, l2 in itertools.product([e0, 1.0, 0.5, 2.0, -1.0, e0 * (1 + 1e-9)],
                                       [l20, 0.0, 0.5, 1.0, 2.0]):
            apart = _apart(dots, e, l2, RTOL)
            if apart:
                pruned += 1
                assert not same(g, e * data + l2 * p, rel=RTOL), (trial, e, l2, noise)
            else:
                kept += 1
        if noise == 0.0:
            assert not _apart(dots, e0, l20, RTOL)
    assert pruned > kept  # it does rule most of them out


def test_non_finite_values_leave_the_decision_to_the_comparison():
    g = np.array([[1.0, np.inf]])
    assert _dots(g, np.ones((1, 2)), np.ones((1, 2))) == ()
    assert _apart((), 2.0, 1.0, RTOL) is False
    huge = np.full((2, 2), 1e200)  # finite, but its squares overflow: unsure, not apart
    assert not _apart(_dots(huge, -huge, huge), 1.0, 0.0, RTOL)
