"""Every broken subject of the corpora records its buggy lines, and they quote its source."""

import copy
import json

import pytest

from tests.buggy_lines import CORPORA, HERE, corpus_line_problems, entry_line_problems


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_the_buggy_lines_quote_the_source(corpus):
    assert corpus_line_problems(HERE / corpus) == []


def test_a_moved_line_or_a_missing_record_is_caught():
    """A subject edited so that its buggy line moves (or a truth without lines) fails."""
    entry = next(e for e in json.loads((HERE / "corpus" / "MANIFEST.json").read_text())
                 if e["verdict"] == "fail")
    moved = copy.deepcopy(entry)
    moved["bugs"][0]["lines"] = [n + 1 for n in moved["bugs"][0]["lines"]]
    assert entry_line_problems(HERE / "corpus", moved)
    bare = copy.deepcopy(entry)
    del bare["bugs"][0]["lines"]
    assert entry_line_problems(HERE / "corpus", bare)
    assert entry_line_problems(HERE / "corpus", entry) == []


def test_the_class_truths_quote_their_submissions():
    """benchmarks/class (issue 22) records its students' buggy lines the same way."""
    from tests.buggy_lines import line_problems

    root = HERE.parent / "benchmarks" / "class"
    manifest = json.loads((root / "MANIFEST.json").read_text())
    problems = [f"{e['student']}: {p}" for e in manifest for b in e["bugs"] + e["conventions"]
                for p in line_problems(root / "submissions" / e["path"], b)]
    assert problems == []
    assert all(e["bugs"] for e in manifest if e["verdict"] != "pass")
