"""The Python API: `crosscheck.verify` and `crosscheck.assert_backprop`, as a user's test calls
them."""

from __future__ import annotations

import json
import re

import pytest
from crosscheck.reference import loss_and_grads

import crosscheck

FAST = dict(networks=4, seed=0, oracles=("torch", "fd"), hidden_activations="tanh",
            loss="mse", l2=0.0, batch=4, shrink=1)


def correct(params, X, Y, spec):
    return loss_and_grads(params, X, Y, spec)


def bias_mean(params, X, Y, spec):
    """A classic bug: the bias gradients averaged over the batch while the weights sum it."""
    loss, grads = loss_and_grads(params, X, Y, spec)
    return loss, {k: (g / X.shape[0] if k.startswith("b") else g) for k, g in grads.items()}


def test_a_correct_function_passes_and_its_summary_is_the_cli_summary():
    result = crosscheck.assert_backprop(correct, **FAST)
    assert result.passed and result.verdict == "pass" and len(result.cases) == 4
    text = str(result)
    assert text.startswith("test_api.py:correct vs torch, fd: 4 networks, 4 passed, 0 failed")
    assert text.endswith("verdict: PASS")
    assert "every one of the 4 networks agrees" in result.conclusion


def test_assert_backprop_names_the_tensor_both_values_the_tolerance_and_the_suspect():
    with pytest.raises(AssertionError) as info:
        crosscheck.assert_backprop(bias_mean, **FAST)
    message = str(info.value)
    # tensor and index, both values, the difference and the tolerance it broke
    worst = r"b\d+\[\d+\]: test_api.py:bias_mean=\S+ (torch|fd)=\S+ \|diff\|=\S+ > atol"
    assert re.search(worst, message), message
    assert "blame: test_api.py:bias_mean" in message
    assert "suspect 1: bias-mean-vs-sum" in message
    assert "conclusion:" in message and "verdict: FAIL" in message
    assert "reproduce: crosscheck verify " in message and "test_api.py:bias_mean" in message
    assert "--seed 0" in message


def test_verify_returns_cases_and_writes_the_reports(tmp_path):
    result = crosscheck.verify(bias_mean, **FAST)
    assert not result.passed and result.failures
    assert all(c.blame == ["test_api.py:bias_mean"] for c in result.failures)
    paths = result.write_report(tmp_path / "r")
    names = sorted(p.name for p in paths)
    assert names[:4] == ["junit.xml", "report.html", "report.json", "report.md"]
    assert any(n.startswith("repro_case-") for n in names)
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["conclusion"] == result.conclusion and "bias-mean-vs-sum" in result.conclusion
    first = [c["suspects"][0] for c in report["cases"] if c["suspects"]]
    assert first and all(s["ids"] == ["bias-mean-vs-sum"] for s in first)
    assert f"**Conclusion:** {result.conclusion.split(';')[0]}" in (tmp_path / "r" / "report.md").read_text()
    # once written, the summary names the script where it really is
    script = next(p for p in paths if p.name.startswith("repro_"))
    assert f"({script.resolve()})" in str(result)


def test_tolerances_are_arguments():
    """A gradient off by 1e-6 relative fails the default table and passes a loose rtol."""
    def nearly(params, X, Y, spec):
        loss, grads = loss_and_grads(params, X, Y, spec)
        return loss, {k: g * (1 + 1e-6) for k, g in grads.items()}

    options = {**FAST, "oracles": ("torch", "fd")}
    assert not crosscheck.verify(nearly, **options).passed
    assert crosscheck.verify(nearly, **options, rtol=1e-5).passed
    assert crosscheck.verify(nearly, **options, tolerance_scale=1e4).passed
    assert not crosscheck.verify(nearly, **options, tolerance_scale=10).passed


@pytest.mark.parametrize("options, words", [
    ({"networks": 0}, "networks wants an integer >= 1"),
    ({"loss": "hinge"}, "unknown loss 'hinge'"),
    ({"sizes": "4-x"}, "sizes wants at least two positive widths"),
    ({"oracles": ("jax",)}, "unknown oracle 'jax'"),
    ({"rtol": -1.0}, "rtol must be a finite number >= 0"),
    ({"layout": "columns"}, "unknown layout 'columns'"),
    ({"mode": "update", "lr": 1e-9}, "lr wants a finite number >= 0.001"),
])
def test_bad_options_are_one_clear_usage_error(options, words):
    with pytest.raises(crosscheck.UsageError, match=re.escape(words)):
        crosscheck.verify(correct, **{**FAST, **options})
    assert issubclass(crosscheck.UsageError, ValueError)


def test_a_lambda_is_checked_and_its_reproduction_cannot_reimport_it():
    result = crosscheck.verify(lambda p, X, Y, s: bias_mean(p, X, Y, s), **FAST)
    assert not result.passed
    repro = next(c.reproduction for c in result.cases if c.reproduction)
    assert repro["subject_import"] is None


def test_update_mode_through_the_api():
    def sgd_step(params, X, Y, spec, lr):
        _, grads = loss_and_grads(params, X, Y, spec)
        return {k: params[k] - lr * grads[k] for k in params}

    assert crosscheck.verify(sgd_step, mode="update", lr=0.5, **FAST).passed
