"""pytest plugin: ``--crosscheck-report DIR`` writes the crosscheck report from a test suite.

Tests record what they checked with the ``crosscheck_record`` fixture::

    def test_reference_agrees(crosscheck_record):
        result = check_case(case, loss_and_grads, oracles, subject="reference")
        crosscheck_record(result)              # or crosscheck_record(result, name="...")
        assert result.verdict == "pass"

At the end of the session the controller writes report.json, report.md, report.html and
junit.xml into DIR (atomically). Under pytest-xdist every worker sends its records (as
report dicts) to the controller, which merges them ordered by test id, so ``-n 2`` and
``-n 0`` give the same report apart from timings. Without the option, recording is a no-op.

The plugin imports neither torch nor tensorflow (nor the reports modules) until a case is
recorded or the report is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

__all__ = ["crosscheck_record"]

_CASES = pytest.StashKey[list]()
_DIR = pytest.StashKey[Path]()
_WORKER_KEY = "crosscheck_cases"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("crosscheck", "backprop-crosscheck discrepancy report")
    group.addoption("--crosscheck-report", metavar="DIR", default=None,
                    help="write report.json, report.md, report.html and junit.xml for the "
                         "cases recorded with the crosscheck_record fixture into DIR")


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("crosscheck_report", None)
    if not path:
        return
    d = Path(path)
    if d.exists() and not d.is_dir():
        raise pytest.UsageError(f"--crosscheck-report {path}: exists and is not a directory")
    config.stash[_DIR] = d
    config.stash[_CASES] = []


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.fixture
def crosscheck_record(request: pytest.FixtureRequest):
    """``record(result: CaseResult, *, name: str | None = None) -> None``.

    Adds a checked case to the session report (when ``--crosscheck-report`` is given). The
    case is named after the test id (``#2``, ``#3``... for further records in one test)."""
    config = request.config
    count = 0

    def record(result, *, name: str | None = None) -> None:
        nonlocal count
        count += 1
        if _CASES not in config.stash:
            return
        from crosscheck.reports.report_json import case_to_dict

        label = name or (request.node.nodeid if count == 1 else f"{request.node.nodeid}#{count}")
        config.stash[_CASES].append(case_to_dict(result, name=label))

    return record


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """Controller side of pytest-xdist: collect a finished worker's records."""
    config = node.config
    if _CASES in config.stash:
        payload = getattr(node, "workeroutput", {}).get(_WORKER_KEY)
        if payload:
            config.stash[_CASES].extend(json.loads(payload))


def merged(cases: list[dict]) -> dict:
    """One report from recorded case dicts, ordered by name whatever the worker order."""
    from crosscheck.oracles.base import ORACLE_NAMES
    from crosscheck.reports.report_json import merged_report

    cases = sorted(cases, key=lambda c: c["name"])
    for i, c in enumerate(cases):
        c["index"] = i
    subjects = sorted({c["subject"] for c in cases})
    used = {o for c in cases for o in c["oracles"]}
    oracles = [o for o in ORACLE_NAMES if o in used] + sorted(used - set(ORACLE_NAMES))
    seconds = sum(sum(c.get("seconds", {}).values()) for c in cases)
    return merged_report(cases, subject=", ".join(subjects) or "none", oracles=oracles,
                         seed=None, options=None, seconds=seconds)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if _CASES not in config.stash:
        return
    if _is_worker(config):
        config.workeroutput[_WORKER_KEY] = json.dumps(config.stash[_CASES])
        return
    from crosscheck.reports.writers import write_report_dir

    directory = config.stash[_DIR]
    directory.mkdir(parents=True, exist_ok=True)
    write_report_dir(merged(config.stash[_CASES]), directory)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if _CASES in config.stash and not _is_worker(config):
        n = len(config.stash[_CASES])
        terminalreporter.write_line(f"crosscheck: {n} recorded case(s), report in "
                                    f"{config.stash[_DIR]}")
