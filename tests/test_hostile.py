"""Fail closed, round two: nothing the user's code does can pass, hang or outlive the gate.

Each test here reproduces one hole a hostile probe found (a lone subject counted as agreeing,
a half-written reply that hung the parent, a module planted where the parent imports from,
descendants that outlived the run, a check the subject could replace, the tool's own streams
closed or full) and asserts the exact behaviour that closes it. The hostile subjects are in
tests/subjects/ (named for what they do); the helpers are tests/test_isolation.py's."""

from __future__ import annotations

import pytest

import crosscheck
from tests.test_isolation import SUBJECTS, cli, verify

RELU_ONLY = ["--oracles", "complex-step", "--activations", "relu", "--networks", "2",
             "--sizes", "3-5-4", "--batch", "4"]


# ---- 1. nothing compared is never a pass --------------------------------------------------

def test_oracles_that_sit_out_every_network_are_a_usage_error(capsys):
    code, out, err, _ = verify(capsys, str(SUBJECTS / "bias_mean_vs_sum.py:loss_and_grads"),
                               *RELU_ONLY)
    assert (code, out) == (2, ""), out + err
    assert err == ("crosscheck: error: the oracles chosen (complex-step) sit out every one of "
                   "the 2 networks: complex-step needs analytic activations, and each of them "
                   "has relu (add torch, tensorflow or fd)\n"), err


def test_the_api_refuses_oracles_that_compare_nothing():
    with pytest.raises(crosscheck.UsageError, match=r"the oracles chosen \(complex-step\) sit "
                                                    r"out every one of the 2 networks"):
        crosscheck.verify(crosscheck.reference.loss_and_grads, oracles=["complex-step"],
                          activations="relu", networks=2, sizes="3-5-4", batch=4)


def test_run_with_oracles_that_compare_nothing_is_a_usage_error(capsys):
    from crosscheck.cli.main import main

    code = main(["run", *RELU_ONLY])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "") and "sit out every one of the 2 networks" in err, out + err
    assert "every one of the 2 networks agrees" not in out


def test_a_network_no_oracle_answered_is_a_failure_and_the_summary_says_who_sat_out(capsys):
    """Mixed activations: complex-step answers on the networks without ReLU and sits the others
    out; each of those is a FAIL in words, never a pass, and a note counts them."""
    from crosscheck.cli.main import main

    code = main(["run", "--oracles", "complex-step", "--networks", "6", "--seed", "0",
                 "--sizes", "3-5-4", "--batch", "4", "--hidden-activations", "relu,tanh",
                 "--shrink", "0"])
    out, err = capsys.readouterr()
    assert code == 1, out + err
    assert "nothing compared reference on this network (complex-step needs " \
           "analytic activations" in out, out
    assert "note: complex-step sat out " in out and out.rstrip().endswith("verdict: FAIL"), out
