"""Time to a first verdict, against the start-up of ``python -c "import torch"`` measured in
the same run (interleaved, median of ``--rounds``), and the time of a ``--watch`` re-check
after a save against the same anchor.

    python benchmarks/first_verdict.py [--rounds 5] [-- extra verify flags]

The command timed is the issue's: ``crosscheck verify docs/examples/my_backprop.py:loss_and_grads
--loss mse --networks 1`` (a failing function: the time includes the diagnosis and the shrink
of the failing network, as a learner meets it). A re-check is timed from the save (the file
rewritten with a later modification time) to the line ``since the last check`` on stdout.
Benchmarks are not part of the pytest gate; they print.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = str(Path(sys.executable).with_name("crosscheck"))
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0")
TARGET = "my_backprop.py:loss_and_grads"


def _timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _recheck(folder: Path, flags: list[str], saves: int) -> list[float]:
    """Seconds from each of ``saves`` saves to the re-check's last line."""
    out = folder / "watch.txt"
    proc = subprocess.Popen([EXE, "verify", TARGET, "--loss", "mse", "--networks", "1", *flags,
                             "--watch"], cwd=folder, env=ENV, stdout=out.open("w"),
                            stderr=subprocess.DEVNULL)
    times = []
    try:
        while "verdict:" not in out.read_text():
            time.sleep(0.05)
        src = folder / "my_backprop.py"
        for i in range(saves):
            text = src.read_text()
            t0 = time.perf_counter()
            src.write_text(text)
            st = src.stat()
            os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns + (i + 1) * 10**9))
            while out.read_text().count("since the last check") <= i:
                time.sleep(0.01)
            times.append(time.perf_counter() - t0)
    finally:
        proc.terminate()
        proc.wait()
    return times


def main() -> int:
    argv = sys.argv[1:]
    flags = argv[argv.index("--") + 1:] if "--" in argv else []
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    folder = Path(tempfile.mkdtemp(prefix="first-verdict-"))
    try:
        shutil.copy(ROOT / "docs" / "examples" / "my_backprop.py", folder)
        anchor, verdict = [], []
        for _ in range(args.rounds):
            anchor.append(_timed([sys.executable, "-c", "import torch"], folder))
            verdict.append(_timed([EXE, "verify", TARGET, "--loss", "mse", "--networks", "1",
                                   *flags], folder))
        recheck = _recheck(folder, flags, args.rounds)
        anchor.append(_timed([sys.executable, "-c", "import torch"], folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    a, v, r = (statistics.median(x) for x in (anchor, verdict, recheck))
    load = os.getloadavg()[0]
    shown = " ".join(flags)
    print(f"first verdict, median of {args.rounds} (load {load:.1f}): import torch {a:.2f} s; "
          f"verify --networks 1{' ' + shown if shown else ''} {v:.2f} s = {v / a:.2f}x; "
          f"a --watch re-check after a save {r:.2f} s = {r / a:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
