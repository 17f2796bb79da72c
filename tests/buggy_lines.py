"""The buggy lines a corpus truth records, and the one check that they still point at the code.

Every broken subject's truth in tests/corpus, tests/cnn_corpus and tests/layer_corpus names the
line(s) a learner has to change to fix its bug: ``lines`` (1-based line numbers in the subject's
file) and ``line_text`` (the text of each of those lines, stripped, in the same order), written
by the corpus author from the source, never by a line matcher. A subject edited so that its
lines move no longer matches its quotes, and the corpus's check script (and
tests/test_buggy_lines.py) fail until the truth is updated.

Standard library only: the check scripts import it by path.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

# corpus folder -> how to read its broken entries' bugs (each a dict with lines and line_text)
CORPORA = {
    "corpus": lambda entry: entry["bugs"],
    "cnn_corpus": lambda entry: [entry["bug"]] if entry.get("bug") else [],
    # a layer pair that follows a valid convention torch does not (ReLU'(0) = 1, ...)
    # records the lines that choose it under "convention"
    "layer_corpus": lambda entry: [b for b in (entry.get("bug"), entry.get("convention")) if b],
}


def line_problems(path: Path, bug: dict) -> list[str]:
    """What is wrong with one bug's ``lines`` / ``line_text`` against the file at ``path``."""
    lines, quoted = bug.get("lines"), bug.get("line_text")
    if not lines or not isinstance(lines, list):
        return [f"{bug.get('id')}: no buggy lines recorded"]
    if not isinstance(quoted, list) or len(quoted) != len(lines):
        return [f"{bug.get('id')}: line_text must quote each of the lines {lines}"]
    if lines != sorted(set(lines)):
        return [f"{bug.get('id')}: lines {lines} are not ascending and distinct"]
    source = path.read_text().splitlines()
    problems = []
    for n, text in zip(lines, quoted, strict=True):
        if not (isinstance(n, int) and 1 <= n <= len(source)):
            problems.append(f"{bug.get('id')}: line {n} is outside {path.name} ({len(source)} lines)")
        elif source[n - 1].strip() != text:
            problems.append(f"{bug.get('id')}: line {n} of {path.name} reads {source[n - 1].strip()!r}, "
                            f"the truth quotes {text!r}")
        elif not text or text.startswith("#"):
            problems.append(f"{bug.get('id')}: line {n} is blank or a comment")
    return problems


def entry_line_problems(corpus_dir: Path, entry: dict) -> list[str]:
    """Every line problem of one manifest entry (none for a correct subject)."""
    bugs = CORPORA[corpus_dir.name](entry)
    if not bugs:
        return [] if entry["verdict"] == "pass" else ["a failing truth without a bug to record its lines"]
    return [p for bug in bugs for p in line_problems(corpus_dir / entry["file"], bug)]


def corpus_line_problems(corpus_dir: Path) -> list[str]:
    manifest = json.loads((corpus_dir / "MANIFEST.json").read_text())
    return [f"{e['file']}: {p}" for e in manifest for p in entry_line_problems(corpus_dir, e)]
