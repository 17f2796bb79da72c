"""``crosscheck verify`` names the right bug first, on the cases it shows, with a reproduction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosscheck.cli.main import main

SUBJECTS = Path(__file__).parent / "subjects"
QUICK = ["--oracles", "torch,fd", "--networks", "2", "--batch", "4"]


@pytest.mark.parametrize("target, options, pitfall", [
    ("bias_mean_vs_sum.py:loss_and_grads", ["--sizes", "3-5-4"], "bias-mean-vs-sum"),
    ("sigmoid_deriv_z.py:loss_and_grads", ["--sizes", "3-5-4", "--hidden-activations", "sigmoid"],
     "sigmoid-deriv-input"),
    ("mse_missing_2_over_n.py:loss_and_grads", ["--sizes", "3-5-4", "--loss", "mse"],
     "mse-missing-2-over-n"),
    # the output delta written apart and right: only the hidden layers' derivative is wrong
    ("sigmoid_hidden_deriv_z.py:loss_and_grads",
     ["--sizes", "3-5-4-2", "--activations", "sigmoid,sigmoid,sigmoid", "--loss", "mse"],
     "sigmoid-deriv-input"),
    # the same without biases, with an L2 term (the diagnosis once raised KeyError b1 there)
    ("sigmoid_hidden_deriv_z.py:loss_and_grads",
     ["--sizes", "3-5-4-2", "--activations", "sigmoid,sigmoid,sigmoid", "--loss", "mse",
      "--no-bias", "--l2", "0.5"], "sigmoid-deriv-input"),
    # X in the second layer only (the third is right): the input as wide as layer 1
    ("input_in_layer_2.py:loss_and_grads",
     ["--sizes", "4-4-3-2", "--activations", "tanh,tanh,identity", "--loss", "mse"],
     "hidden-uses-input"),
    ("mse_missing_2.py:loss_and_grads", ["--sizes", "3-5-4", "--loss", "mse",
                                         "--activations", "sigmoid,identity"],
     "mse-missing-2-over-n"),
    # square layers: the transposed gradient has the right shape, so only the values tell
    ("transposed_dw.py:loss_and_grads", ["--sizes", "4-4-4"], "transposed-weight"),
    # non-square: the transposed gradient reshaped to W's shape, so the shapes agree
    ("transposed_reshaped_dw.py:loss_and_grads",
     ["--sizes", "3-5-4", "--activations", "relu,identity", "--loss", "softmax_cross_entropy",
      "--targets", "onehot"], "transposed-weight"),
    ("update_order.py:sgd_step", ["--sizes", "3-5-4", "--mode", "update"], "update-order"),
], ids=["bias-mean-vs-sum", "sigmoid-deriv-input", "mse-missing-2-over-n", "sigmoid-hidden-only",
        "hidden-only-no-bias", "input-in-layer-2", "mse-missing-2", "transposed-weight",
        "transposed-reshaped", "update-order"])
def test_the_right_suspect_comes_first(capsys, tmp_path, target, options, pitfall):
    code = main(["verify", str(SUBJECTS / target), *QUICK, *options, "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    report = json.loads((tmp_path / "report.json").read_text())
    for case in report["cases"]:
        assert case["verdict"] == "fail"
        assert case["suspects"], f"no suspects for case {case['index']}"
        assert case["suspects"][0]["id"] == pitfall, case["suspects"]
    assert f"suspect 1: {pitfall} " in out


def test_the_failing_cases_shown_are_the_diagnosed_and_shrunk_ones(capsys, tmp_path):
    """The summary shows the worst failing cases first: each of them carries suspects and a
    smallest failing network whose script re-imports the user's function."""
    code = main(["verify", str(SUBJECTS / "bias_mean_vs_sum.py:loss_and_grads"), "--oracles",
                 "torch,fd", "--networks", "8", "--seed", "2", "--shrink", "2",
                 "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    blocks = out.split("  FAIL case ")[1:]
    assert len(blocks) == 5
    assert all("suspect 1: bias-mean-vs-sum" in b for b in blocks)
    assert sum("smallest failing network" in b for b in blocks) == 2
    scripts = sorted(tmp_path.glob("repro_*.py"))
    assert len(scripts) == 2
    assert "bias_mean_vs_sum.py:loss_and_grads" in scripts[0].read_text()


def test_an_lr_dependent_step_is_update_order_once_with_its_evidence(capsys, tmp_path):
    """The adapter measured the step at lr and 2 lr; the diagnosis turns that into the
    update-order suspect, first and only once."""
    code = main(["verify", str(SUBJECTS / "update_order.py:sgd_step"), "--mode", "update",
                 *QUICK, "--sizes", "3-5-4", "--shrink", "0", "--report", str(tmp_path)])
    assert code == 1
    for case in json.loads((tmp_path / "report.json").read_text())["cases"]:
        assert case["error_kind"] == "lr-dependent"
        ids = [s["id"] for s in case["suspects"]]
        assert ids[0] == "update-order" and ids.count("update-order") == 1
        assert "changes with the learning rate" in case["suspects"][0]["evidence"]


def test_a_weight_decay_without_the_lr_is_measured_and_not_called_update_order(capsys, tmp_path):
    """The step depends on lr in its top layer too: a weight updated before use cannot do
    that, so update-order is not named; the fixed shrink l2/batch x W is measured instead."""
    code = main(["verify", str(SUBJECTS / "decay_without_lr.py:sgd_step"), "--mode", "update",
                 *QUICK, "--sizes", "3-5-2", "--loss", "mse", "--activations", "tanh,identity",
                 "--l2", "0.5", "--shrink", "0", "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    for case in json.loads((tmp_path / "report.json").read_text())["cases"]:
        assert case["error_kind"] == "lr-dependent"
        assert [s["id"] for s in case["suspects"]] == ["unknown"]
    assert "update-order" not in out
    assert "shrinks every weight by" in out and "= l2/batch x W" in out
    assert "a weight decay applied without the learning rate" in out


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.asmatrix, on purpose
def test_odd_values_get_a_verdict_and_a_diagnosis_never_a_traceback(capsys, tmp_path):
    """np.matrix gradients and a float-subclass loss: the bias bug is still found."""
    code = main(["verify", str(SUBJECTS / "odd_values.py:loss_and_grads"), *QUICK,
                 "--sizes", "3-5-4", "--report", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 1 and "verdict: FAIL" in out and "Traceback" not in out + err
    report = json.loads((tmp_path / "report.json").read_text())
    ids = [c["suspects"][0]["id"] for c in report["cases"]]
    assert ids == ["stray-constant-factor"] * 2, report["cases"][0]["suspects"]


def test_a_float32_port_with_a_bias_bug_is_named(capsys, tmp_path):
    code = main(["verify", str(SUBJECTS / "float32_port.py:loss_and_grads_bias_mean"),
                 "--dtype", "float32", *QUICK, "--networks", "4", "--report", str(tmp_path)])
    assert code == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert [c["suspects"][0]["id"] for c in report["cases"]] == ["bias-mean-vs-sum"] * 4


def test_a_compound_bug_is_named_as_a_composition(capsys, tmp_path):
    """mse without its 2/n and a bias gradient averaged over the batch, together: every
    weight n/2 x the truth and every bias n_out/2 x; both named, on every network."""
    code = main(["verify", str(SUBJECTS / "compound_mse_bias.py:loss_and_grads"), *QUICK,
                 "--loss", "mse", "--sizes", "3-5-4", "--networks", "3"])
    out = capsys.readouterr().out
    assert code == 1
    conclusion = out.split("conclusion: ", 1)[1].split("  FAIL")[0]
    assert "bias-mean-vs-sum" in conclusion and "mse-missing-2-over-n" in conclusion
    assert "suspect 1: mse-missing-2-over-n + bias-mean-vs-sum" in out or \
        "suspect 1: bias-mean-vs-sum + mse-missing-2-over-n" in out


def test_a_diagnosis_that_breaks_falls_back_to_the_measured_facts(capsys, monkeypatch):
    import crosscheck.diagnosis.diagnose as diagnose_module

    def broken(*args, **kwargs):
        raise TypeError("an odd value the diagnosis did not expect")

    monkeypatch.setattr(diagnose_module, "explain", broken)
    code = main(["verify", str(SUBJECTS / "bias_mean_vs_sum.py:loss_and_grads"), *QUICK,
                 "--sizes", "3-5-4", "--shrink", "0"])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert "suspect 1: unknown (0.00) no catalogued bug explains this" in out
    # what was measured before the step broke is kept: the factor on each bias
    evidence = out.split("suspect 1: unknown (0.00) no catalogued bug explains this", 1)[1]
    assert "b1 is 1/4 x the oracle's" in evidence and "W1, W2 agree" in evidence
    assert "the diagnosis could not measure more (TypeError)" in evidence


def test_a_step_that_is_nan_at_every_rate_is_not_called_lr_dependent(capsys, tmp_path):
    """NaN at lr and at 2 lr (0/0 at a saturated sigmoid) tells nothing about the rate: the
    step fails on its non-finite gradients, and update-order is never named."""
    code = main(["verify", str(SUBJECTS / "update_nan_saturated.py:sgd_step"), "--mode", "update",
                 "--loss", "sigmoid_bce", "--networks", "8", "--seed", "1", "--shrink", "0",
                 "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "update-order" not in out and "depends on the learning rate" not in out
    report = json.loads((tmp_path / "report.json").read_text())
    failing = [c for c in report["cases"] if c["verdict"] == "fail"]
    assert failing and all(c["suspects"][0]["id"] == "unknown" for c in failing if c["suspects"])
    assert "NaN/Inf in the gradients" in out


def test_a_loss_bug_beside_an_unexplained_gradient_is_named_in_part(capsys, tmp_path):
    """The gradients' bug is not catalogued, the loss's is: the loss-only replay reproduces
    the wrong loss, so that bug is named, as explaining the loss only (not "unknown", not
    "explained")."""
    code = main(["verify", str(SUBJECTS / "tanh_slope_log_epsilon.py:loss_and_grads"), *QUICK,
                 "--sizes", "3-5-4", "--activations", "tanh,identity", "--loss",
                 "softmax_cross_entropy", "--targets", "onehot", "--edge-networks", "off",
                 "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    for case in json.loads((tmp_path / "report.json").read_text())["cases"]:
        first = case["suspects"][0]
        assert first["ids"] == ["loss-log-epsilon"] and first["score"] == 0.5
        assert "no catalogued bug explains the gradients" in first["evidence"]
    conclusion = " ".join(out.split("conclusion: ", 1)[1].split("\n  FAIL", 1)[0].split())
    assert "Explained in part by loss-log-epsilon" in conclusion
    assert "no catalogued bug explains the gradients" in conclusion
