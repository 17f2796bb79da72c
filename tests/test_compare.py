"""The comparison and the vote: NaN never passes, tensors are judged one by one, the lone
dissenter is named, ties blame nobody."""

from __future__ import annotations

import numpy as np
import pytest

from crosscheck.engine.compare import compare_tensor, compare_tensors
from crosscheck.engine.tolerances import TOLERANCES, pair_tolerance
from crosscheck.engine.triangulate import Party, triangulate

AD = TOLERANCES["autodiff"]


def test_equal_tensors_pass_and_report_zero():
    b = np.arange(6.0).reshape(2, 3)
    d = compare_tensor("W1", b.copy(), b, "subject", "torch", AD, loss=1.0)
    assert d.ok and d.max_abs == 0 and d.rel_norm == 0 and d.n_bad == 0 and d.n_compared == 6


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_is_a_failure_never_a_pass(bad):
    b = np.ones((2, 2))
    a = b.copy()
    a[1, 0] = bad
    d = compare_tensor("W2", a, b, "subject", "torch", AD, loss=1.0)
    assert not d.ok and d.worst_index == (1, 0) and d.n_bad == 1
    assert "non-finite" in d.message() and "subject" in d.message()


def test_all_zero_tensors_agree_without_dividing_by_zero():
    z = np.zeros((3, 2))
    d = compare_tensor("b1", z, z.copy(), "subject", "fd", TOLERANCES["fd"], loss=0.0)
    assert d.ok and d.rel_norm == 0.0


def test_failure_message_names_tensor_index_values_and_tolerance():
    b = np.array([[0.0262, 1.0], [0.5, 0.25]])
    a = b.copy()
    a[0, 0] = 0.0131
    d = compare_tensor("W2", a, b, "subject", "torch", AD, loss=1.0)
    assert not d.ok and d.worst_index == (0, 0)
    msg = d.message()
    assert msg.startswith("W2[0, 0]: subject=0.0131 torch=0.0262 |diff|=1.31e-02 >")
    assert "rtol 1e-09*|torch|" in msg


def test_one_bad_bias_is_not_drowned_by_a_large_correct_tensor():
    """Per tensor, never over the concatenated vector (a 1/N bias bug hides in 1e4 weights)."""
    rng = np.random.default_rng(0)
    b = rng.normal(size=10_000)
    a = b.copy()
    a[:3] /= 8
    d = compare_tensor("b1", a[:3], b[:3], "subject", "torch", AD, loss=1.0)
    assert not d.ok and d.rel_norm == pytest.approx(7 / 9)


def test_transposed_shape_is_hinted():
    d = compare_tensor("W1", np.zeros((3, 2)), np.zeros((2, 3)), "subject", "torch", AD, 1.0)
    assert not d.ok and "transposed?" in d.message()


def test_excluded_coordinates_do_not_count():
    b = np.ones(4)
    a = b.copy()
    a[2] = 5.0
    exclude = np.array([False, False, True, False])
    d = compare_tensor("b1", a, b, "subject", "fd", TOLERANCES["fd"], 1.0, exclude=exclude)
    assert d.ok and d.n_excluded == 1 and d.n_compared == 3


def test_tolerance_scales_from_the_trusted_side_only():
    """A huge wrong entry in the subject must not loosen the tolerance for the others."""
    b = np.ones(3)
    a = np.array([1e12, 1.0 + 1e-3, 1.0])
    d = compare_tensor("b1", a, b, "subject", "torch", AD, loss=1.0)
    assert d.n_bad == 2


def test_pair_tolerance_is_the_looser_kind():
    assert pair_tolerance("subject", "fd") == TOLERANCES["fd"]
    assert pair_tolerance("autodiff", "fd") == TOLERANCES["fd"]
    assert pair_tolerance("subject", "autodiff") == AD


def _parties(subject_g, torch_g, tf_g, fd_g):
    mk = lambda name, kind, g: Party(name, kind, 1.0, {"W1": np.asarray(g, dtype=float)})  # noqa: E731
    return [mk("subject", "subject", subject_g), mk("torch", "autodiff", torch_g),
            mk("tensorflow", "autodiff", tf_g), mk("fd", "fd", fd_g)]


def test_vote_blames_the_lone_dissenting_subject():
    votes = triangulate(_parties([2.0], [1.0], [1.0], [1.0]), ["W1"])
    w = votes[1]
    assert w.tensor == "W1" and w.status == "dissent" and w.dissenters == ("subject",)
    assert votes[0].tensor == "loss" and votes[0].ok


def test_vote_blames_a_lone_dissenting_oracle():
    w = triangulate(_parties([1.0], [1.0], [1.0], [0.0]), ["W1"])[1]
    assert w.dissenters == ("fd",) and set(w.majority) == {"subject", "torch", "tensorflow"}


def test_vote_tie_blames_nobody():
    w = triangulate(_parties([1.0], [1.0], [2.0], [2.0]), ["W1"])[1]
    assert w.status == "no-majority" and w.dissenters == ()


def test_vote_with_two_parties_cannot_decide():
    p = _parties([1.0], [2.0], [2.0], [2.0])[:2]
    assert triangulate(p, ["W1"])[1].status == "no-majority"


def test_tensors_compared_together_are_judged_each_as_alone():
    """The vote compares a pair on every tensor in one pass: each tensor keeps its own atol
    (from its own max|b|), its own worst element, counts and exclusions, exactly as when it
    is compared alone (a tensor 1000x smaller than its neighbour still fails on its own)."""
    rng = np.random.default_rng(3)
    small = rng.normal(size=(3, 4)) * 1e-3
    large = rng.normal(size=(5,)) * 1e3
    items = [
        ("loss", np.asarray(2.0), np.asarray(2.0), None, None),
        ("W1", small * (1 + 1e-6), small, None, None),  # wrong by its own scale only
        ("b1", large.copy(), large, None, None),
        ("W2", np.array([[1.0, np.nan], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.5]]),
         np.array([[False, False], [False, True]]), None),
        ("b2", np.zeros(0), np.zeros(0), None, None),
        ("W3", np.ones((2, 3)), np.ones((3, 2)), None, None),
    ]
    together = compare_tensors(items, "subject", "torch", AD, 2.0)
    alone = [compare_tensors([item], "subject", "torch", AD, 2.0)[0] for item in items]
    assert [repr(d) for d in together] == [repr(d) for d in alone]  # repr: NaN equals NaN
    assert [d.ok for d in together] == [True, False, True, False, True, False]
    assert together[1].n_bad == 12 and together[3].worst_index == (0, 1)
    assert together[3].n_excluded == 1
