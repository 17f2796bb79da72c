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

import pytest
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


# a soak of the machine itself: its two burners take both cores from every test beside it, so
# .ci/run runs it after the default gate, with the other slow tests
@pytest.mark.slow
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


def test_the_safety_net_is_recorded_when_it_fires(tmp_path, monkeypatch):
    """A wall-clock limit that fires says so: report.json's safety_net, a note under the
    summary, and the reproductions it kept from shrinking marked not shrunk."""
    import jsonschema
    from crosscheck.reports.report_json import load_schema, report_dict

    import crosscheck.api as api
    from crosscheck.engine.budget import SafetyNet
    from crosscheck.engine.campaign import network_options

    monkeypatch.setattr(api, "SafetyNet", lambda: SafetyNet(seconds=1e-9))
    result = api.run_verify(f"{SUBJECT}:loss_and_grads", SUBJECT.name, layout="xw",
                            mode="grads", lr=0.1, timeout=10, shrink=2,
                            options=network_options(networks=2, seed=9),
                            oracles=("torch", "fd"))
    report = report_dict(result.campaign)
    jsonschema.validate(report, load_schema())
    assert report["safety_net"]["fired"] is True and report["safety_net"]["cut"]
    assert any("safety net" in n for n in report["notes"]) and "note: the wall-clock" in str(result)
    repros = [c["reproduction"] for c in report["cases"] if c["reproduction"]]
    assert repros and all(r["shrunk"] is False and r["checks"] == 0 for r in repros)


def test_the_safety_net_remembers_what_it_cut_first():
    from crosscheck.engine.budget import SafetyNet

    assert SafetyNet(seconds=3600.0).fired("shrinking") is False
    net = SafetyNet(seconds=0.0, started=0.0)
    assert net.fired("the diagnosis's re-runs") and net.fired("shrinking")
    assert net.to_dict() == {"limit_seconds": 0.0, "fired": True,
                             "cut": "the diagnosis's re-runs"}
