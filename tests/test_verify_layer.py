"""``crosscheck verify-layer`` on an independently written corpus of CS231n-style layers
(tests/layer_corpus: 47 correct pairs, 26 with one learner's bug each, and their truths)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crosscheck.reference import cnn_layers as R

import crosscheck
from crosscheck.cli.main import main
from crosscheck.layers.kinds import KINDS
from crosscheck.layers.pitfalls import LAYER_PITFALLS
from crosscheck.layers.verify import run_layer

CORPUS = Path(__file__).parent / "layer_corpus"
MANIFEST = json.loads((CORPUS / "MANIFEST.json").read_text())


def _targets(entry):
    path = CORPUS / entry["file"]
    kind = entry["kind"]
    if KINDS[kind].loss:
        return f"{path}:{kind}", None
    return f"{path}:{kind}_forward", f"{path}:{kind}_backward"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("entry", MANIFEST, ids=[f"{e['file']}-{e['kind']}" for e in MANIFEST])
def test_the_corpus_verdicts(entry):
    fwd, bwd = _targets(entry)
    result = run_layer(entry["kind"], fwd, bwd, entry["file"], cases=20, seed=0)
    assert result.passed == (entry["verdict"] == "pass"), str(result)
    if entry["verdict"] == "fail":
        # the wrong tensors the truth names are among those the check names
        named = {t for c in result.cases for _, t, _ in c.findings}
        truth = {t if t in ("out", "loss") else f"d{t.removeprefix('d')}"
                 for t in entry["bug"]["tensors"]}
        truth = {"out" if t == "loss" else t for t in truth}
        assert named & truth or any(c.error for c in result.cases), (entry["bug"], str(result))


def test_the_cli_exits_1_and_says_which_part_is_wrong(capsys):
    path = CORPUS / "buggy" / "batchnorm_simplified_v2.py"
    code = main(["verify-layer", "batchnorm", f"{path}:batchnorm_forward",
                 f"{path}:batchnorm_backward", "--cases", "4"])
    out = capsys.readouterr().out
    assert code == 1
    words = " ".join(out.split())  # the conclusion wraps at 100 columns
    assert ("4 of 4 cases fail: explained by batchnorm-no-mean-terms (in 4 of 4 failing cases); "
            "the backward is wrong: dx differ from the frameworks' autograd and from finite "
            "differences of your own forward") in words
    assert "  FAIL case 0 [x (" in out and "verdict: FAIL" in out


def test_a_forward_bug_is_told_apart_from_a_backward_bug():
    """A wrong forward whose backward differentiates it correctly: forward wrong, backward
    consistent with it, so the user fixes the forward and not the backward."""
    def relu_forward(x):
        out = abs(x)  # BUG: |x| is not max(x, 0)
        return out, x

    def relu_backward(dout, x):
        import numpy as np
        return dout * np.sign(x)  # the true derivative of |x|

    result = crosscheck.verify_layer("relu", relu_forward, relu_backward, cases=6)
    assert not result.passed
    assert "the forward is wrong (out differ from the frameworks')" in result.conclusion
    assert "consistent with your forward" in result.conclusion
    assert "isolation off" in str(result)  # nested functions run in this process, and it says so


@pytest.mark.parametrize("argv, words", [
    (["verify-layer", "conv", "x.py:f"], "conv needs a backward"),
    (["verify-layer", "softmax_loss", "x.py:f", "x.py:g"], "softmax_loss is a loss layer"),
    (["verify-layer", "relu", "nowhere.py:f", "nowhere.py:g"], "nowhere.py"),
    (["verify-layer", "relu", "x.py:f", "x.py:g", "--seed", "-1"], "--seed wants an integer >= 0"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


@pytest.mark.parametrize("pid", sorted(LAYER_PITFALLS))
def test_each_catalogued_layer_bug_fails_and_is_named_first(pid):
    p = LAYER_PITFALLS[pid]
    result = crosscheck.verify_layer(p.kind, p.forward, p.backward, cases=20, seed=0)
    assert not result.passed, pid
    assert result.result.isolation_off == "", result.result.isolation_off  # ran in the worker
    assert result.conclusion.split(": ", 1)[1].startswith(f"explained by {pid} "), result.conclusion
    named = [c.suspect for c in result.cases if c.verdict == "fail"]
    assert named and all(s in (pid, "") for s in named), named


def test_a_correct_reference_layer_names_nothing():
    result = crosscheck.verify_layer("conv", R.conv_forward, R.conv_backward, cases=10)
    assert result.passed and "explained by" not in result.conclusion


def test_a_large_input_gets_the_adjoint_test_and_it_catches_an_inconsistent_backward():
    """x of 4x3x10x10 = 1,200 elements is differenced along 3 directions, not element by
    element; a backward with the kernel flipped still fails that check."""
    import numpy as np
    from crosscheck.oracles.torch_layers import torch_layer

    from crosscheck.layers.check import check_layer, in_process

    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(4, 3, 10, 10)), rng.normal(size=(2, 3, 3, 3)), rng.normal(size=2)

    def draw(_):
        return {"x": x.copy(), "w": w.copy(), "b": b.copy()}, {"param": {"stride": 1, "pad": 1}}

    def check(backward):
        return check_layer("conv", in_process("conv", R.conv_forward, backward), label="me",
                           cases=1, seed=0, oracles={"torch": torch_layer}, draw=draw)

    assert check(R.conv_backward).passed
    flipped = LAYER_PITFALLS["conv-kernel-flipped"].backward
    found = {(part, t): m for part, t, m in check(flipped).cases[0].findings}
    assert ("consistency", "dx") in found and "dx.u" in found[("consistency", "dx")]


@pytest.mark.parametrize("kind", ["conv", "batchnorm", "softmax_loss", "max_pool"])
def test_float32_layers_pass_with_float32_tolerances(kind):
    forward = getattr(R, kind) if KINDS[kind].loss else getattr(R, f"{kind}_forward")
    backward = None if KINDS[kind].loss else getattr(R, f"{kind}_backward")
    result = crosscheck.verify_layer(kind, forward, backward, cases=10, dtype="float32")
    assert result.passed, str(result)
    assert "float32 tolerances" in result.conclusion


def test_a_float32_layer_bug_still_fails_and_is_named():
    p = LAYER_PITFALLS["batchnorm-no-mean-terms"]
    result = crosscheck.verify_layer("batchnorm", p.forward, p.backward, cases=6, dtype="float32")
    assert not result.passed and "batchnorm-no-mean-terms" in result.conclusion


def test_report_writes_four_files_that_validate(tmp_path, capsys):
    import xml.etree.ElementTree as ET

    import jsonschema
    from crosscheck.reports.layer_report import load_layer_schema

    path = CORPUS / "buggy" / "batchnorm_simplified_v2.py"
    code = main(["verify-layer", "batchnorm", f"{path}:batchnorm_forward",
                 f"{path}:batchnorm_backward", "--cases", "5", "--report", str(tmp_path / "r")])
    assert code == 1
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert names == ["junit.xml", "report.html", "report.json", "report.md"]
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    jsonschema.validate(report, load_layer_schema())
    assert report["verdict"] == "fail" and report["summary"]["failed"] == 4
    assert all(c["suspect"] == "batchnorm-no-mean-terms" for c in report["cases"]
               if c["verdict"] == "fail" and not c["findings"][0]["part"] == "forward")
    suite = ET.parse(tmp_path / "r" / "junit.xml").getroot()
    assert suite.get("tests") == "5" and suite.get("failures") == str(report["summary"]["failed"])
    assert "**Conclusion:** 4 of 5 cases fail" in (tmp_path / "r" / "report.md").read_text()
    assert "&lt;" not in (tmp_path / "r" / "report.md").read_text()


def test_an_unusable_report_directory_is_exit_2_before_any_work(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    path = CORPUS / "correct" / "cs231n_layers.py"
    code = main(["verify-layer", "relu", f"{path}:relu_forward", f"{path}:relu_backward",
                 "--report", str(blocker / "sub")])
    out, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and out == ""
