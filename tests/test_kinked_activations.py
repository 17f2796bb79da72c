"""Activations with kinks, read from their records: fd masks a difference across any kink of
any kinked activation (not only ReLU's), and ``crosscheck verify`` judges a hand-written leaky
ReLU network by the contract's slope."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from crosscheck.oracles import get_oracle
from crosscheck.oracles.fd import DEFAULT_STEP, FiniteDifferenceOracle
from crosscheck.reference import ACTIVATION_OPS, Case, NetworkSpec, init_params, loss_and_grads
from crosscheck.reference.sampling import random_batch

from crosscheck.cli.main import main
from crosscheck.engine.check import check_case

SUBJECTS = Path(__file__).parent / "subjects"
KINKED = [(op.name, k) for op in ACTIVATION_OPS.values() for k in op.kinks]


def test_the_kinked_records():
    assert {name for name, _ in KINKED} >= {"relu", "leaky_relu"}


def _at_kink(name: str, kink: float, offset: float) -> Case:
    """A network whose first layer is ``name``, with unit 1's pre-activation on sample 0 at
    ``kink + offset``: a step of b1[1] by +-h straddles the kink when |offset| < h."""
    rng = np.random.default_rng(2)
    spec = NetworkSpec(sizes=(3, 4, 2), activations=(name, "identity"), loss="mse")
    params = init_params(spec, rng)
    X, Y = random_batch(spec, 4, rng)
    z = X @ params["W1"] + params["b1"]
    params["b1"] = params["b1"].copy()
    params["b1"][1] += kink + offset - z[0, 1]
    return Case(spec, params, X, Y)


@pytest.mark.parametrize("offset", [DEFAULT_STEP / 2, -DEFAULT_STEP / 2])
@pytest.mark.parametrize(("name", "kink"), KINKED, ids=[f"{n}@{k:g}" for n, k in KINKED])
def test_a_difference_across_a_kink_is_a_kink_not_a_failure(name, kink, offset, monkeypatch):
    case = _at_kink(name, kink, offset)
    result = FiniteDifferenceOracle().evaluate(case.params, case.X, case.Y, case.spec)
    _, truth = loss_and_grads(case.params, case.X, case.Y, case.spec)
    assert result.kinks["b1"][1]
    assert abs(result.grads["b1"][1] - truth["b1"][1]) > 1e-3  # a chord, not the derivative
    assert not result.kinks["W2"].any() and not result.kinks["b2"].any()
    checked = check_case(case, loss_and_grads, [get_oracle("fd")])
    assert checked.verdict == "pass" and checked.kinks >= 1
    # the mask comes from the record: without its kinks, the same difference is a failure
    monkeypatch.setitem(ACTIVATION_OPS, name, dataclasses.replace(ACTIVATION_OPS[name], kinks=()))
    unmasked = check_case(case, loss_and_grads, [get_oracle("fd")])
    assert unmasked.verdict == "fail" and unmasked.kinks == 0


def test_a_smooth_activation_gets_no_kink_mask():
    """softplus, elu: nothing to mask, however close to 0 a pre-activation sits."""
    for name in ("softplus", "elu", "tanh"):
        case = _at_kink(name, 0.0, DEFAULT_STEP / 2)
        result = FiniteDifferenceOracle().evaluate(case.params, case.X, case.Y, case.spec)
        assert not any(k.any() for k in result.kinks.values()), name
        assert check_case(case, loss_and_grads, [get_oracle("fd")]).verdict == "pass", name


def _verify(capsys, *args: str) -> tuple[int, str]:
    code = main(["verify", *args, "--activations", "leaky_relu", "--networks", "4", "--seed", "1",
                 "--oracles", "torch,tensorflow,fd"])
    out, _ = capsys.readouterr()
    return code, out


def test_verify_passes_a_correct_leaky_relu_network(capsys):
    code, out = _verify(capsys, str(SUBJECTS / "leaky_relu_mlp.py:loss_and_grads"))
    assert code == 0 and "4 passed, 0 failed" in out, out
    assert "leaky_relu" in out


def test_verify_fails_a_leaky_relu_with_the_wrong_slope(capsys):
    code, out = _verify(capsys, str(SUBJECTS / "leaky_relu_mlp.py:gan_slope"))
    assert code == 1 and "verdict: FAIL" in out, out
    assert "blame: leaky_relu_mlp.py:gan_slope" in out
