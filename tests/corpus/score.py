"""Run the diagnosis on the independent corpus and grade it against the written truths.

Grades, for a subject with bugs: ``right`` (the first bug the conclusion names is one of the
truth's), ``unknown`` (the conclusion names none: "no catalogued bug explains this"),
``wrong`` (it names a bug the subject does not have first). ``top2``: one of the first two
named is right. ``strict_wrong``: any named bug is not the truth's. ``compound_all``: for
subjects with two or more catalogued bugs, every one is named.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = json.loads((HERE / "MANIFEST.json").read_text())


@dataclass
class Grade:
    name: str
    truth: tuple[str, ...]
    verdict_ok: bool
    outcome: str  # "pass-ok" for correct subjects; else "right" | "unknown" | "wrong"
    top2: bool
    strict_wrong: bool
    compound_all: bool | None
    named: tuple[str, ...]
    conclusion: str
    # the diagnosis fell back on "could not measure more" somewhere (an internal failure)
    unmeasured: tuple[str, ...] = ()


def run_entry(entry: dict, *, networks: int = 8, seed: int = 0,
              oracles=("torch", "tensorflow", "fd")):
    from crosscheck.api import options_for, run_verify
    from crosscheck.subject.loading import target_label

    # as `crosscheck verify` runs it: imported and called in a worker process
    target = f"{HERE / entry['file']}:{entry['function']}"
    label = target_label(target)
    o = entry.get("options", {})
    options = options_for(networks=networks, seed=seed, sizes=o.get("sizes"), loss=o.get("loss"),
                          hidden_activations=o.get("hidden_activations"))
    # strict: the truths take the frameworks' convention at exact kinks (relu-tie-convention
    # is a bug here), which is otherwise a warning
    return run_verify(target, label, layout=entry["layout"], mode=entry["mode"], lr=0.1,
                      timeout=10.0, options=options, oracles=oracles, shrink=0, strict=True)


def grade(entry: dict, result) -> Grade:
    from crosscheck.diagnosis.conclude import findings

    truth = tuple(b["id"] for b in entry["bugs"])
    catalogued = {t for t in truth if t != "other"}
    f = findings(result.cases)
    named = tuple(pid for pid, _ in f.named)
    verdict_ok = result.verdict == entry["verdict"]
    unmeasured = tuple(s.evidence for c in result.cases for s in c.suspects
                       if "could not measure" in s.evidence)
    if entry["verdict"] == "pass":
        return Grade(entry["file"], truth, verdict_ok, "pass-ok" if verdict_ok else "false-alarm",
                     True, False, None, named, result.conclusion, unmeasured)
    if not named:
        outcome = "unknown"
    else:
        outcome = "right" if named[0] in catalogued else "wrong"
    return Grade(entry["file"], truth, verdict_ok, outcome,
                 top2=bool(set(named[:2]) & catalogued),
                 strict_wrong=bool(set(named) - catalogued),
                 compound_all=(catalogued <= set(named)) if len(catalogued) >= 2 else None,
                 named=named, conclusion=result.conclusion, unmeasured=unmeasured)


def summary(grades: list[Grade]) -> dict:
    buggy = [g for g in grades if g.outcome != "pass-ok" and g.outcome != "false-alarm"]
    compound = [g for g in buggy if g.compound_all is not None]
    return {
        "subjects": len(grades),
        "verdicts_right": sum(g.verdict_ok for g in grades),
        "buggy": len(buggy),
        "right": sum(g.outcome == "right" for g in buggy),
        "top2": sum(g.top2 for g in buggy),
        "unknown": sum(g.outcome == "unknown" for g in buggy),
        "wrong": sum(g.outcome == "wrong" for g in buggy),
        "strict_wrong": sum(g.strict_wrong for g in buggy),
        "compound": len(compound),
        "compound_all": sum(bool(g.compound_all) for g in compound),
    }
