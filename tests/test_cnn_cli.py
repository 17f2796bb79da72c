"""`crosscheck run --architecture cnn`: exit codes, the summary, every report format for CNN
cases, what is skipped for them (shrinking, the diagnosis) and why, and one-line usage
errors."""

from __future__ import annotations

import json

import jsonschema
import pytest
from crosscheck.reference import cnn_layers as L
from crosscheck.reference import cnn_loss_and_grads
from crosscheck.reports.report_json import load_schema

from crosscheck.cli.main import main
from crosscheck.diagnosis.diagnose import diagnose
from crosscheck.engine.campaign import CampaignOptions, case_for
from crosscheck.engine.check import check_case
from crosscheck.engine.shrink import cnn_passes


def test_run_cnn_passes_and_writes_every_report(tmp_path, capsys):
    code = main(["run", "--architecture", "cnn", "--networks", "6", "--seed", "2",
                 "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "reference vs torch, tensorflow, fd: 6 networks, 6 passed, 0 failed" in out
    assert out.rstrip().endswith("verdict: PASS") and "note:" not in out
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, load_schema())
    assert report["options"] == {"architecture": "cnn", "networks": 6, "seed": 2, "batch": None,
                                 "l2": None, "cnn": None}
    for i, case in enumerate(report["cases"]):
        spec = case_for(CampaignOptions(**report["options"]), i).spec
        assert case["spec"] == spec.to_dict() and case["describe"] == spec.describe()
        assert case["spec"]["architecture"] == "cnn" and case["reproduction"] is None
    junit = (tmp_path / "junit.xml").read_text()
    assert junit.count("<testcase") == 18 and report["cases"][0]["describe"] in junit
    assert report["cases"][0]["describe"] in (tmp_path / "report.html").read_text()
    assert "**6** passed" in (tmp_path / "report.md").read_text()


def test_run_cnn_takes_batch_and_l2(tmp_path, capsys):
    code = main(["run", "--architecture", "cnn", "--networks", "3", "--batch", "1", "--l2",
                 "0.5", "--oracles", "torch,fd", "--report", str(tmp_path)])
    assert code == 0, capsys.readouterr()
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["oracles"] == ["torch", "fd"]
    assert {(c["batch"], c["spec"]["l2"]) for c in report["cases"]} == {(1, 0.5)}


def test_a_failing_cnn_campaign_reports_its_cases_shrunk(tmp_path, capsys, monkeypatch):
    """Each failing CNN is shrunk (the CNN passes of engine/shrink.py) and gets a script that
    replays the smallest network failing the same way."""
    right = L.conv_backward

    def flipped(dout, cache):  # a convolution's kernel instead of a cross-correlation's
        dx, dw, db = right(dout, cache)
        return dx, dw[:, :, ::-1, ::-1], db

    monkeypatch.setattr(L, "conv_backward", flipped)
    code = main(["run", "--architecture", "cnn", "--networks", "5", "--seed", "1",
                 "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL case" in out and "blame: reference" in out and "W1[" in out
    assert "smallest failing network: " in out and "Traceback" not in out
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, load_schema())
    assert report["verdict"] == "fail" and "notes" not in report
    failing = [c for c in report["cases"] if c["verdict"] == "fail"]
    repros = [c["reproduction"] for c in failing if c["reproduction"]]
    assert repros and all(r["shrunk"] is True for r in repros)
    names = {p.name for p in cnn_passes([0])}
    assert all(set(r["passes"]) <= names and len(r["passes"]) == r["steps"] for r in repros)
    assert any(r["steps"] > 0 for r in repros)  # some CNN got smaller
    for c in failing:
        r = c["reproduction"]
        if r and r["steps"]:
            assert r["describe"] != c["describe"] and r["verdict"] == "fail"
            assert r["blame"] == c["blame"]
    assert all((tmp_path / r["script_name"]).is_file() for r in repros)
    worst = failing[0]["tensors"][1]["worst_elements"]
    assert len(next(iter(worst.values()))[0]["index"]) == 4  # a conv kernel's element
    html = (tmp_path / "report.html").read_text()
    assert "architecture=&#x27;cnn&#x27;" in html and "Smallest failing network found" in html
    assert "needs numpy and crosscheck" in html


@pytest.mark.parametrize(
    ("flags", "flag"),
    [
        (["--sizes", "4-3"], "--sizes"),
        (["--loss", "mse"], "--loss"),
        (["--activations", "relu"], "--activations"),
        (["--hidden-activations", "tanh"], "--hidden-activations"),
        (["--output-activation", "identity"], "--output-activation"),
        (["--targets", "labels"], "--targets"),
        (["--max-depth", "3"], "--max-depth"),
        (["--max-width", "8"], "--max-width"),
        (["--scale", "2"], "--scale"),
    ],
)
def test_mlp_options_with_cnn_are_one_line_and_exit_2(flags, flag, capsys, tmp_path):
    code = main(["run", "--architecture", "cnn", *flags, "--report", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert f"{flag} describes MLP networks" in err and "--architecture cnn" in err
    assert not (tmp_path / "r").exists()  # refused before any work


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--architecture", "rnn"], "argument --architecture: invalid choice: 'rnn'"),
        (["--architecture", "cnn", "--max-size", "1000"],
         "random CNN-style networks at batch 4 have up to 10000 parameters"),
        (["--architecture", "cnn", "--seed", "-1"], "--seed wants an integer >= 0"),
        (["--architecture", "cnn", "--oracles", "complex-step"],
         "--oracles complex-step covers MLP networks only"),
    ],
)
def test_bad_cnn_runs_are_one_line_and_exit_2(args, message, capsys):
    try:
        code = main(["run", *args])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_the_default_architecture_is_the_mlp_and_its_options_are_unchanged():
    options = CampaignOptions(networks=3, seed=3)
    assert options.architecture == "mlp" and "architecture" not in options.to_dict()
    assert case_for(options, 0).spec.sizes  # a NetworkSpec
    with pytest.raises(ValueError, match="unknown architecture 'rnn'"):
        CampaignOptions(architecture="rnn")


def test_the_diagnosis_says_it_does_not_cover_a_cnn(oracle_cache, monkeypatch):
    right = L.affine_backward

    def half_bias(dout, cache):
        dx, dw, db = right(dout, cache)
        return dx, dw, db / 2

    monkeypatch.setattr(L, "affine_backward", half_bias)
    case = case_for(CampaignOptions(architecture="cnn", networks=1, seed=4), 0)
    result = check_case(case, cnn_loss_and_grads, [oracle_cache("torch"), oracle_cache("fd")],
                        subject="buggy")
    (suspect,) = diagnose(result)
    assert suspect.id == "unknown" and "no bug named" in suspect.evidence
    assert "cover MLP networks" in suspect.evidence
    assert "the first wrong gradients going backward are" in suspect.evidence
    assert case.spec.param_names()[-1] in suspect.evidence  # the last affine layer's bias
