"""`crosscheck run`: exit codes, the summary, report.json, and one-line usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crosscheck.cli.main import main


def test_run_passes_and_writes_the_report(tmp_path, capsys):
    code = main(["run", "--networks", "12", "--seed", "3", "--report", str(tmp_path / "out")])
    out = capsys.readouterr()
    assert code == 0, out
    assert "12 networks, 12 passed, 0 failed" in out.out and "verdict: PASS" in out.out
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    for key in ("schema_version", "verdict", "subject", "oracles", "seed", "cases"):
        assert key in report
    assert report["verdict"] == "pass" and report["seed"] == 3
    assert report["oracles"] == ["torch", "tensorflow", "fd"]
    assert len(report["cases"]) == 12
    case = report["cases"][0]
    for key in ("spec", "tensors", "blame", "suspects", "verdict", "kinks"):
        assert key in case
    d = case["tensors"][1]["discrepancies"][0]
    for key in ("max_abs", "rel_norm", "worst_index", "a_value", "b_value", "atol", "rtol"):
        assert key in d
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]


def test_run_options_shape_the_networks(tmp_path, capsys):
    code = main(["run", "--networks", "3", "--sizes", "5-4-3", "--loss", "sigmoid_bce",
                 "--hidden-activations", "tanh", "--l2", "0.5", "--batch", "2",
                 "--oracles", "torch,fd", "--report", str(tmp_path)])
    assert code == 0, capsys.readouterr()
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["oracles"] == ["torch", "fd"]
    for case in report["cases"]:
        assert case["spec"] == {"sizes": [5, 4, 3], "activations": ["tanh", "identity"],
                                "loss": "sigmoid_bce", "l2": 0.5}
        assert case["batch"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--sizes", "4-x-3"], "--sizes wants widths joined by '-'"),
        (["run", "--sizes", "4"], "at least two positive widths"),
        (["run", "--oracles", "torch,jax"], "unknown oracle jax"),
        (["run", "--loss", "hinge"], "unknown loss hinge"),
        (["run", "--hidden-activations", "swish"], "unknown activation swish"),
        (["run", "--networks", "0"], "expected a positive integer"),
        (["run", "--l2", "-1"], "--l2 wants a finite number >= 0"),
        (["run", "--bogus"], "unrecognized arguments: --bogus"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert message in err and err.count("\n") == 1, err


def test_report_path_that_is_a_file_is_exit_2_and_nothing_written(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["run", "--networks", "1", "--report", str(target)]) == 2
    err = capsys.readouterr().err
    assert "exists and is not a directory" in err and err.count("\n") == 1
    assert target.read_text() == "x"


def test_the_installed_console_script_runs(tmp_path):
    exe = Path(sys.executable).with_name("crosscheck")
    assert exe.exists(), f"console script missing next to {sys.executable}: reinstall with pip install -e ."
    env = {**os.environ, "CI": "1"}
    out = subprocess.run([str(exe), "run", "--networks", "2", "--seed", "1"], capture_output=True,
                         text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "verdict: PASS" in out.stdout
    assert out.stderr == ""  # quiet in CI: no progress bar, no TensorFlow banners
