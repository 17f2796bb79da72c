"""``crosscheck grade`` against a shell loop of ``crosscheck verify`` over the same files, in
the same run: wall time of each, the ratio, and whether both gave every student the same
verdict (verify's exit code 0 / 1 / 2 against grade's pass / fail / does-not-load).

    python benchmarks/grade.py benchmarks/class -- --networks 20 --loss mse
    python benchmarks/grade.py FOLDER --jobs 2 --target loss_and_grads -- [verify's flags]

The flags after ``--`` go to both commands unchanged (the network flags of the assignment).
The loop runs the students one after another, as ``for f in FOLDER/*.py; do crosscheck
verify $f:FUNC FLAGS; done`` would, each with its own ``--report``; grade runs with ``--jobs``
(default: the cores). Benchmarks are not part of the pytest gate; they print.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crosscheck.grade.submissions import discover

CROSSCHECK = [sys.executable, "-m", "crosscheck.cli.main"]


def main() -> int:
    argv = sys.argv[1:]
    flags = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[:argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("folder")
    p.add_argument("--target", default="loss_and_grads")
    p.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--file", default=None, help="grade's --file, for a folder per student")
    p.add_argument("--manifest", default=None,
                   help="a MANIFEST.json of the class's truths (student, verdict pass | fail | "
                        "error): also count the students whose verdict grade got right")
    args = p.parse_args(own)
    subs = discover(args.folder, (args.target,), file=args.file)
    work = Path(tempfile.mkdtemp(prefix="crosscheck-bench-grade-"))
    env = dict(os.environ, CI="1")  # no progress bars in either
    try:
        start = time.perf_counter()
        loop: dict[str, int] = {}
        for s in subs:
            if s.path is None:  # nothing verify could be pointed at
                loop[s.name] = 2
                continue
            done = subprocess.run([*CROSSCHECK, "verify", f"{s.path}:{args.target}", *flags,
                                   "--report", str(work / "loop" / s.name)],
                                  capture_output=True, env=env)
            loop[s.name] = done.returncode
        loop_seconds = time.perf_counter() - start

        start = time.perf_counter()
        grade = subprocess.run([*CROSSCHECK, "grade", args.folder, "--out", str(work / "grade"),
                                "--target", args.target, "--jobs", str(args.jobs),
                                *(["--file", args.file] if args.file else []), *flags],
                               capture_output=True, text=True, env=env)
        grade_seconds = time.perf_counter() - start
        if grade.returncode != 0:
            print(grade.stderr, file=sys.stderr)
            return 1
        report = json.loads((work / "grade" / "class.json").read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # verify's exit code for each finding: a module that does not parse is bad input (2), one
    # that exits or hangs while it is imported a verdict (1); grade calls both does-not-load
    expected = {"pass": {0}, "does-not-load": {1, 2}}
    differ = [r["name"] for r in report["records"]
              if loop[r["name"]] not in expected.get(r["finding"], {1})]
    print(f"grade {len(subs)} submissions ({' '.join(flags) or 'verify defaults'}): a loop of "
          f"crosscheck verify {loop_seconds:.0f} s, crosscheck grade --jobs {args.jobs} "
          f"{grade_seconds:.0f} s: grade is {loop_seconds / grade_seconds:.1f}x faster; "
          f"verdicts {'the same for every student' if not differ else 'differ for ' + ', '.join(differ)}")
    print(grade.stdout.rstrip())
    if args.manifest:
        truth = {t["student"]: t["verdict"] for t in json.loads(Path(args.manifest).read_text())}
        got = {r["name"]: ("error" if r["finding"] == "does-not-load" else r["verdict"])
               for r in report["records"]}
        wrong = sorted(n for n in truth if got.get(n) != truth[n])
        print(f"verdicts against {args.manifest}: {len(truth) - len(wrong)} of {len(truth)} right"
              f"{'' if not wrong else ' (wrong: ' + ', '.join(wrong) + ')'}")
    return 0 if not differ else 1


if __name__ == "__main__":
    sys.exit(main())
