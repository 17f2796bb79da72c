"""The pytest plugin: ``--crosscheck-report DIR`` and the ``crosscheck_record`` fixture, alone
and merged across pytest-xdist workers."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema
from crosscheck.reports.report_json import load_schema, strip_volatile

pytest_plugins = ["pytester"]

SUITE = '''
import pytest
from crosscheck.oracles import get_oracle
from crosscheck.reference import loss_and_grads
from crosscheck.engine.campaign import CampaignOptions, case_for
from crosscheck.engine.check import check_case

ORACLES = [get_oracle("torch"), get_oracle("fd")]


def bias_over_batch(params, X, Y, spec):
    loss, grads = loss_and_grads(params, X, Y, spec)
    return loss, {k: (g / X.shape[0] if k.startswith("b") else g) for k, g in grads.items()}


@pytest.mark.parametrize("index", range(4))
def test_reference(crosscheck_record, index):
    result = check_case(case_for(CampaignOptions(seed=7), index), loss_and_grads, ORACLES,
                        subject="reference", index=index)
    crosscheck_record(result)
    assert result.verdict == "pass"


@pytest.mark.parametrize("index", [0, 1])
def test_broken(crosscheck_record, index):
    case = case_for(CampaignOptions(seed=7, batch=3), index)
    result = check_case(case, bias_over_batch, ORACLES, subject="<b>broken</b>", index=index)
    crosscheck_record(result)
    crosscheck_record(check_case(case, loss_and_grads, ORACLES, subject="reference"))
    assert result.verdict == "fail"
'''


def _run(pytester, *args):
    pytester.makepyfile(test_suite=SUITE)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def _report(path):
    return json.loads((path / "report.json").read_text())


def test_report_from_a_test_suite_alone_and_merged_across_xdist_workers(pytester):
    """One serial run of the suite gives the report checked here, and the same suite on two
    pytest-xdist workers must merge into that same report (one serial run serves both: each
    run imports torch in a fresh interpreter)."""
    out = pytester.path / "out"
    result = _run(pytester, "--crosscheck-report", str(out), "-n", "0")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["crosscheck: 8 recorded case(s), report in *out"])
    report = _report(out)
    jsonschema.validate(report, load_schema(), cls=jsonschema.Draft202012Validator)
    names = [c["name"] for c in report["cases"]]
    assert names == sorted(names) and len(names) == 8
    assert "test_suite.py::test_broken[0]#2" in names
    assert report["verdict"] == "fail" and report["summary"]["failed"] == 2
    assert report["subject"] == "<b>broken</b>, reference"
    assert report["oracles"] == ["torch", "fd"]
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert int(suite.get("tests")) == 16 and int(suite.get("failures")) == 4
    assert "&lt;b&gt;broken&lt;/b&gt;" in (out / "report.html").read_text()

    parallel = pytester.path / "parallel"
    _run(pytester, "--crosscheck-report", str(parallel), "-n", "2").assert_outcomes(passed=6)
    merged = _report(parallel)
    assert len(merged["cases"]) == 8
    assert json.dumps(strip_volatile(report)) == json.dumps(strip_volatile(merged))


def test_no_option_no_report(pytester):
    _run(pytester, "-n", "0").assert_outcomes(passed=6)
    assert not list(pytester.path.glob("**/report.json"))


def test_bad_report_path_is_a_usage_error(pytester):
    (pytester.path / "taken").write_text("x")
    result = _run(pytester, "--crosscheck-report", str(pytester.path / "taken"))
    assert result.ret == 4  # pytest's usage-error exit code
    result.stderr.fnmatch_lines(["*--crosscheck-report*exists and is not a directory*"])


def test_plugin_import_costs_no_framework():
    code = ("import sys, crosscheck.pytest_plugin; "
            "bad = [m for m in ('torch', 'tensorflow') if m in sys.modules]; "
            "print(bad); sys.exit(bool(bad))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
