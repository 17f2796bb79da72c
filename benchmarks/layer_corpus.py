"""verify-layer on the independently written layer corpus (tests/layer_corpus): false alarms
on the correct pairs and misses on the buggy ones, over many cases, then the benchmark line.

    python benchmarks/layer_corpus.py [--cases 200] [--seed 11] [--dtype float64|float32]

Each pair runs as ``crosscheck verify-layer`` runs it (imported into the worker process),
without shrinking. The gate runs 20 cases at seed 0 (tests/test_verify_layer.py); this is the
longer run behind the figures in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "layer_corpus"


def main() -> int:
    from crosscheck.layers.kinds import KINDS
    from crosscheck.layers.verify import run_layer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    args = parser.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)  # the corpus's own overflow warnings
    manifest = json.loads((CORPUS / "MANIFEST.json").read_text())
    t0 = time.perf_counter()
    correct = buggy = cases = false_alarms = missed = 0
    for entry in manifest:
        path, kind = CORPUS / entry["file"], entry["kind"]
        targets = ((f"{path}:{kind}", None) if KINDS[kind].loss else
                   (f"{path}:{kind}_forward", f"{path}:{kind}_backward"))
        result = run_layer(kind, *targets, entry["file"], cases=args.cases, seed=args.seed,
                           dtype=args.dtype, shrink=0)
        cases += len(result.cases)
        if entry["verdict"] == "pass":
            correct += 1
            bad = [c for c in result.cases if c.verdict == "fail"]
            false_alarms += len(bad)
            for c in bad[:2]:
                print(f"FALSE ALARM {entry['file']} {kind} case {c.index} [{c.describe}]: "
                      f"{c.error or c.findings[0][2]}", flush=True)
        else:
            buggy += 1
            if result.passed:
                missed += 1
                print(f"MISSED {entry['file']} {kind}: {entry['bug']}", flush=True)
    print(f"layer corpus, {args.dtype}, {args.cases} cases per pair, seed {args.seed}: "
          f"{correct} correct pairs, {false_alarms} false alarm(s); {buggy} buggy pairs, "
          f"{buggy - missed} caught; {cases} cases in {time.perf_counter() - t0:.0f} s")
    return 1 if false_alarms or missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
