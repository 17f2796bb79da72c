"""Check every truth in benchmarks/holdout2/MANIFEST.json numerically.

    .venv/bin/python benchmarks/holdout2/check_truths.py [-v] [--seed N | --seeds A-B] [FILE ...]
    .venv/bin/python benchmarks/holdout2/check_truths.py --self-test   # it rejects wrong truths

Every entry is an MLP function (``layout``/``mode``/``conventions`` as in docs/contract.md)
with exactly one bug. It is checked as tests/learner_corpus/check_truths.py checks its files
(whose loading, patching, network drawing, calling and comparing functions are reused):
on a few random networks drawn from the entry's ``options`` it is compared, tensor by tensor
(``loss``, ``W1``, ``b1``, ...; in update mode the gradient the step implies), with
``crosscheck.reference.loss_and_grads``:

- as written, the tensors that disagree must be exactly those its bug's ``where`` names, on
  every network;
- with the bug's ``fix`` applied (``[line, text]`` pairs; ``null`` removes a line, text with
  newlines inserts several), every tensor must agree on every network;
- static: numpy-only imports, 20-120 lines, the manifest's fields, a known pitfall id (or
  ``other``), ``lines`` covered by ``fix``, and each fixed line really changed.

Exit 0 when every truth holds. Uses only the reference, never the diagnosis, engine,
locate or subject packages.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
_spec = importlib.util.spec_from_file_location(
    "learner_check_truths", ROOT / "tests" / "learner_corpus" / "check_truths.py")
learner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(learner)

SEEDS = [11]  # networks are drawn from default_rng([seed, i]), i < learner.NETWORKS


def check(entry: dict, ids: set[str], verbose: bool) -> list[str]:
    path = HERE / entry["file"]
    problems = learner.static_problems(path, entry, ids)
    if entry["verdict"] != "fail" or len(entry["bugs"]) != 1:
        problems.append("every holdout2 file is broken with exactly one bug")
    if entry["mode"] == "update" and "fixed-lr" not in entry["conventions"] and "lr" not in entry["options"]:
        problems.append("an update-mode entry needs options.lr")
    source = path.read_text().splitlines()
    for bug in entry["bugs"]:
        for line, text in bug["fix"]:
            if text is not None and 1 <= line <= len(source) and source[line - 1] == text:
                problems.append(f"the fix leaves line {line} as it is")
    for label, fixed in (("as written", []), ("with the fix", entry["bugs"])):
        try:
            mod = learner.load(path, learner.patched(path, fixed) if fixed else None)
            fn = getattr(mod, entry["function"])
        except Exception as exc:  # a fix that does not even load
            problems.append(f"{label}: the file does not load: {type(exc).__name__}: {exc}")
            continue
        rest = [b for b in entry["bugs"] if b not in fixed]
        for seed in SEEDS:
            for k, (got, names) in enumerate(learner.wrong_tensors(fn, entry, seed)):
                want = learner.named(rest, names)
                if verbose:
                    print(f"   {label}, seed {seed}, network {k}: wrong {sorted(got)}")
                if got != want:
                    problems.append(f"{label}, seed {seed}, network {k}: wrong {sorted(got)}, "
                                    f"truth says {sorted(want)}")
    return problems


def self_test(manifest: list[dict], ids: set[str]) -> int:
    """The checker must reject wrong truths: a wrong ``where``, a fix one line off, a fix
    that changes nothing, the bug's lines left out of its fix. Returns how many it accepted."""
    missed = 0
    entry = next(e for e in manifest if len(e["bugs"][0]["fix"]) == 1)
    wrong_where = copy.deepcopy(entry)
    wrong_where["bugs"][0]["where"] = ["loss"] if "loss" not in entry["bugs"][0]["where"] else ["W1"]
    off_by_one = copy.deepcopy(entry)
    bug = off_by_one["bugs"][0]
    bug["lines"] = [bug["lines"][0] + 1]
    bug["fix"] = [[bug["lines"][0], bug["fix"][0][1]]]
    no_change = copy.deepcopy(entry)
    line = no_change["bugs"][0]["lines"][0]
    no_change["bugs"][0]["fix"] = [[line, (HERE / entry["file"]).read_text().splitlines()[line - 1]]]
    uncovered = copy.deepcopy(entry)
    uncovered["bugs"][0]["lines"] = [line + 2]
    for label, e in (("a wrong where", wrong_where), ("a fix one line off", off_by_one),
                     ("a fix that changes nothing", no_change),
                     ("lines the fix does not touch", uncovered)):
        caught = bool(check(e, ids, False))
        print(f"self-test: {label} ({e['file']}): {'rejected' if caught else 'ACCEPTED'}")
        missed += not caught
    return missed


def main(argv: list[str]) -> int:
    global SEEDS
    verbose = "-v" in argv
    for flag in ("--seed", "--seeds"):
        if flag in argv:
            i = argv.index(flag)
            value = argv[i + 1]
            lo, _, hi = value.partition("-")
            SEEDS = list(range(int(lo), int(hi or lo) + 1))
            argv = argv[:i] + argv[i + 2:]
    only = [a for a in argv if not a.startswith("-")]
    manifest = json.loads((HERE / "MANIFEST.json").read_text())
    ids = learner.pitfall_ids()
    if "--self-test" in argv:
        return 1 if self_test(manifest, ids) else 0
    failures = checked = 0
    listed = {e["file"] for e in manifest}
    unlisted = sorted(f.name for f in HERE.glob("*.py")
                      if f.name != "check_truths.py" and f.name not in listed)
    missing = sorted(name for name in listed if not (HERE / name).exists())
    if unlisted or missing:
        print(f"FAIL without a truth: {', '.join(unlisted) or '-'}; listed but absent: "
              f"{', '.join(missing) or '-'}")
        failures += 1
    for entry in manifest:
        if only and entry["file"] not in only:
            continue
        checked += 1
        problems = check(entry, ids, verbose)
        bug = entry["bugs"][0]
        status = "ok  " if not problems else "FAIL"
        print(f"{status} {entry['file']:<32} {bug['id']:<24} lines {bug['lines']} where {bug['where']}")
        for p in problems:
            print(f"       {p}")
        failures += bool(problems)
    print(f"{checked} files checked, {failures} failing (seeds {SEEDS[0]}"
          f"{'-' + str(SEEDS[-1]) if len(SEEDS) > 1 else ''})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
