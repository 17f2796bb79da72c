"""The README's tutorial output is real: re-run its command and compare, timings aside."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from crosscheck.cli.main import main

ROOT = Path(__file__).resolve().parents[1]


def _normalise(text: str) -> str:
    text = re.sub(r"\(\d+\.\d s, \d+ networks/s;", "(T s, R networks/s;", text)
    return re.sub(r"\(/\S+/(repro_case-\d+\.py)\)", r"(DIR/\1)", text).strip()


def test_the_readme_tutorial_prints_what_the_readme_shows(capsys, monkeypatch, tmp_path):
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```\n\$ crosscheck verify (.*?)\n(.*?)```", readme, re.S)
    argv = shlex.split(block[1])
    argv[argv.index("--report") + 1] = str(tmp_path / "rep")
    monkeypatch.chdir(ROOT / "docs" / "examples")
    code = main(["verify", *argv])
    out = capsys.readouterr().out
    assert code == 1
    assert _normalise(out) == _normalise(block[2])
    assert (tmp_path / "rep" / "repro_case-0.py").is_file()
