"""Diagnosis accuracy on the independently written corpus (tests/corpus): one line per
subject, then the benchmark line.

    python benchmarks/diagnosis_corpus.py [--networks 8] [--seed 0] [name-substring ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "corpus"))

import score  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("only", nargs="*")
    args = parser.parse_args()
    grades = []
    t0 = time.perf_counter()
    for entry in score.MANIFEST:
        if args.only and not any(s in entry["file"] for s in args.only):
            continue
        g = score.grade(entry, score.run_entry(entry, networks=args.networks, seed=args.seed))
        grades.append(g)
        flag = "" if g.verdict_ok else "  VERDICT WRONG"
        print(f"{g.outcome:8} {Path(g.name).stem:34} truth={','.join(g.truth) or '-':40} "
              f"named={','.join(g.named) or '-'}{flag}")
    s = score.summary(grades)
    b = max(s["buggy"], 1)
    print(f"\ndiagnosis on the corpus ({s['subjects']} subjects, {args.networks} networks each, seed "
          f"{args.seed}, {time.perf_counter() - t0:.0f} s): verdicts {s['verdicts_right']}/{s['subjects']}; "
          f"of {s['buggy']} buggy: top-1 right {s['right']} ({100 * s['right'] / b:.0f}%), right within "
          f"top 2 {s['top2']}, honest unknown {s['unknown']}, wrong lead {s['wrong']} (any wrong id "
          f"named: {s['strict_wrong']}); right or honest {100 * (s['right'] + s['unknown']) / b:.0f}%; "
          f"compound with every bug named {s['compound_all']}/{s['compound']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
