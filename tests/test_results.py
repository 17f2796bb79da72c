"""Results are data, frozen once made: a check's outcome, its diagnosis, output and
reproduction are assembled before the result exists, and writing a report reads it only."""

from __future__ import annotations

import dataclasses
import json

import pytest
from crosscheck.oracles import get_oracle
from crosscheck.reference import loss_and_grads
from crosscheck.reports.report_json import report_dict, strip_volatile

import crosscheck
from crosscheck.engine.campaign import CampaignOptions, case_for
from crosscheck.engine.check import check_case

FAST = dict(networks=3, seed=0, oracles=("torch", "fd"), hidden_activations="tanh",
            loss="mse", l2=0.0, batch=3, shrink=1)


def bias_mean(params, X, Y, spec):
    """The bias gradients averaged over the batch while the weights sum it."""
    loss, grads = loss_and_grads(params, X, Y, spec)
    return loss, {k: (g / X.shape[0] if k.startswith("b") else g) for k, g in grads.items()}


@pytest.fixture(scope="module")
def failing():
    result = crosscheck.verify(bias_mean, **FAST)
    assert not result.passed and any(c.reproduction for c in result.cases)
    return result


def _value(result) -> str:
    """Everything the result says, as text: its report (timings aside) and its summary."""
    return json.dumps(strip_volatile(report_dict(result.campaign)), sort_keys=True)


def test_a_case_result_cannot_be_changed():
    result = check_case(case_for(CampaignOptions(seed=1), 0), bias_mean, [get_oracle("torch")])
    assert result.verdict == "fail"
    for name, value in (("suspects", ["x"]), ("output", "x"), ("reproduction", {}),
                        ("votes", ())):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(result, name, value)
    with pytest.raises(TypeError):
        result.seconds["subject"] = 0.0
    with pytest.raises(TypeError):
        result.skipped["fd"] = "why"
    with pytest.raises(AttributeError):
        result.votes.append(None)


def test_a_verify_result_and_its_reproductions_cannot_be_changed(failing):
    with pytest.raises(dataclasses.FrozenInstanceError):
        failing.campaign = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        failing.campaign.conclusion = "changed"
    with pytest.raises(AttributeError):
        failing.campaign.notes.append("changed")
    repro = next(c.reproduction for c in failing.cases if c.reproduction)
    with pytest.raises(TypeError):
        repro["script_path"] = "/somewhere"


def test_writing_a_report_leaves_the_result_as_it_was(failing, tmp_path):
    before = _value(failing)
    reproductions = [dict(c.reproduction) for c in failing.cases if c.reproduction]
    cases = failing.cases
    paths = failing.write_report(tmp_path / "rep")
    assert any(p.name.startswith("repro_") for p in paths)
    assert _value(failing) == before
    assert failing.cases is cases and all(a is b for a, b in zip(failing.cases, cases, strict=True))
    assert [dict(c.reproduction) for c in failing.cases if c.reproduction] == reproductions
    # the report written is the result's: its JSON is the same, timings aside
    written = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert json.dumps(strip_volatile(written), sort_keys=True) == before
