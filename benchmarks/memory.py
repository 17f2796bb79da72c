"""Peak memory (maximum resident set size) of a command, each run in its own subprocess,
against ``python -c "import torch"`` and ``python -c "import tensorflow"`` measured in the
same run.

    python benchmarks/memory.py [--networks 200] [-- extra run flags]

Each command runs as a fresh child of a small launcher process, and the launcher reports
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak of that one child alone.
Benchmarks are not part of the pytest gate; they print.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0")
_LAUNCHER = ("import resource, subprocess, sys; "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_mb(cmd: list[str]) -> float:
    """Peak RSS in MB of ``cmd`` run alone in a fresh process (Linux: ru_maxrss is in KiB)."""
    out = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], env=ENV, check=True,
                         capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--networks", type=int, default=200)
    ap.add_argument("extra", nargs="*", help="flags for crosscheck run (after --)")
    args = ap.parse_args()
    py = sys.executable
    run = [py, "-m", "crosscheck.cli.main", "run", "--networks", str(args.networks),
           "--seed", "1", *args.extra]
    torch = peak_mb([py, "-c", "import torch"])
    tf = peak_mb([py, "-c", "import tensorflow"])
    both = peak_mb([py, "-c", "import torch, tensorflow"])
    mb = peak_mb(run)
    print(f"peak RSS, load {os.getloadavg()[0]:.1f}: crosscheck run --networks {args.networks} "
          f"--seed 1 {' '.join(args.extra)}{' ' if args.extra else ''}{mb:.0f} MB; python -c "
          f"\"import torch\" {torch:.0f} MB, \"import tensorflow\" {tf:.0f} MB, both "
          f"{both:.0f} MB: the run is {mb / both:.2f}x the two imports", flush=True)


if __name__ == "__main__":
    main()
