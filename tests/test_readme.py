"""The README's tutorial outputs are real: re-run each command shown and compare, timings and
report paths aside."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from crosscheck.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```\n\$ crosscheck (verify(?:-layer)? .*?)\n(.*?)```", (ROOT / "README.md").read_text(),
                    re.S)


def _normalise(text: str) -> str:
    text = re.sub(r"\(\d+\.\d s, \d+ networks/s;", "(T s, R networks/s;", text)
    text = re.sub(r"failed \(\d+\.\d s\)", "failed (T s)", text)
    text = re.sub(r"python \S+/(repro_layer_case_\d+\.py)", r"python DIR/\1", text)
    return re.sub(r"\(/\S+/(repro_case-\d+\.py)\)", r"(DIR/\1)", text).strip()


def test_the_readme_shows_four_runs():
    assert len(BLOCKS) == 4


@pytest.mark.parametrize("command, shown", BLOCKS,
                         ids=[b[0].split(":")[0].split()[-1] for b in BLOCKS])
def test_a_readme_verify_run_prints_what_the_readme_shows(capsys, monkeypatch, tmp_path,
                                                          command, shown):
    argv = shlex.split(command)
    if "--report" in argv:
        argv[argv.index("--report") + 1] = str(tmp_path / "rep")
    monkeypatch.chdir(ROOT / "docs" / "examples")
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 1
    assert _normalise(out) == _normalise(shown)
