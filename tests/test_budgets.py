"""Budgets in steps: the same seed gives the same report on an idle and on a loaded machine.

The re-runs after a campaign (the diagnosis's, the shrinker's) are budgeted in networks and
tries, never seconds (crosscheck/api.py, crosscheck/engine/shrink.py, engine/budget.py). Run the
same failing ``crosscheck verify`` twice, the second time while two processes burn the CPU, and
the two report.json must be equal byte for byte once the timing fields
(``crosscheck.reports.report_json.strip_volatile``) are removed. A seconds budget put back would
let the loaded run shrink less (a different report), or fire the safety net (asserted off).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crosscheck.reports.report_json import strip_volatile

SUBJECT = Path(__file__).parent / "subjects" / "bias_mean_vs_sum.py"
COMMAND = ["verify", f"{SUBJECT}:loss_and_grads", "--seed", "9", "--networks", "6"]


def _verify(report: Path) -> dict:
    exe = Path(sys.executable).with_name("crosscheck")
    done = subprocess.run([str(exe), *COMMAND, "--report", str(report)], capture_output=True,
                          text=True, timeout=1800)
    assert done.returncode == 1, done.stdout + done.stderr  # the subject is wrong
    return json.loads((report / "report.json").read_text())


def _burners(n: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def test_the_same_seed_gives_the_same_report_on_an_idle_and_a_loaded_machine(tmp_path):
    idle = _verify(tmp_path / "idle")
    burning = _burners(2)
    try:
        assert all(p.poll() is None for p in burning)  # they do burn while it runs
        loaded = _verify(tmp_path / "loaded")
        assert all(p.poll() is None for p in burning)
    finally:
        for p in burning:
            p.kill()
        for p in burning:
            p.wait()
    for report in (idle, loaded):
        assert report["safety_net"]["fired"] is False, report["safety_net"]
        repros = [c["reproduction"] for c in report["cases"] if c["reproduction"]]
        # the worst five are shrunk, each by a few steps, within its budget of tries
        assert len(repros) == 5 and all(r["shrunk"] and r["steps"] >= 4 for r in repros)
        assert all(r["describe"].startswith("1-") for r in repros), [r["describe"] for r in repros]
        assert sum(bool(c["suspects"]) for c in report["cases"]) >= 5  # diagnosed
    a = json.dumps(strip_volatile(idle), indent=1)
    b = json.dumps(strip_volatile(loaded), indent=1)
    assert a == b
