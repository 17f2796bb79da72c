"""The independently written learner corpus (tests/learner_corpus): its truths hold against
the reference, and every subject, run with the flags its code naturally needs (its
conventions), gets the verdict its truth gives; no diagnosis step says it could not measure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "learner_corpus"
MANIFEST = json.loads((CORPUS / "MANIFEST.json").read_text())


def test_the_truths_hold_against_the_reference():
    done = subprocess.run([sys.executable, str(CORPUS / "check_truths.py")], capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"{len(MANIFEST)} files checked, 0 failing" in done.stdout


@pytest.mark.slow  # the corpus's full run: .ci/run runs it after the default gate
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_each_subject_gets_its_verdict_with_its_conventions(entry):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import learner_corpus
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    result = learner_corpus.run_entry(entry, networks=6, seed=0)
    text = str(result)
    assert "could not measure" not in text
    if entry["verdict"] == "fail":
        assert not result.passed, text
    else:  # right, or a textbook loss that overflows on an edge network, said as such
        assert result.passed or "the gradients are right on every network" in result.conclusion, text
