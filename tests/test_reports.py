"""The discrepancy reports: report.json against its schema, Markdown, HTML (escaping, a real
browser when Chromium is installed), JUnit counts, determinism, shrinking, repro scripts and
the ``crosscheck run`` exit codes."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import crosscheck.reports
import jsonschema
import numpy as np
import pytest
from crosscheck.oracles import get_oracle
from crosscheck.reference import loss_and_grads
from crosscheck.reports import writers
from crosscheck.reports.render_html import render_html
from crosscheck.reports.render_junit import render_junit
from crosscheck.reports.render_md import render_md
from crosscheck.reports.report_json import (
    VOLATILE_KEYS,
    case_to_dict,
    load_schema,
    report_dict,
    strip_volatile,
    to_json,
)
from crosscheck.reports.report_view import failing_worst_first, subject_diffs

from crosscheck.cli import main as cli
from crosscheck.cli import run as cmd_run
from crosscheck.engine.campaign import CampaignOptions, case_for, run_campaign
from crosscheck.engine.check import check_case
from crosscheck.engine.shrink import attach_reproductions, shrink_case

EVIL = "<script>alert('x')</script>"
ORACLES = ("torch", "fd")
CHROMIUM = "/usr/bin/chromium"


def bias_over_batch(params, X, Y, spec):
    """A classic bug: the bias gradients divided by the batch size once too often."""
    loss, grads = loss_and_grads(params, X, Y, spec)
    return loss, {k: (g / X.shape[0] if k.startswith("b") else g) for k, g in grads.items()}


def raises_evil(params, X, Y, spec):
    raise ValueError(EVIL)


def _oracles():
    return [get_oracle(n) for n in ORACLES]


def _campaign(subject_fn, subject: str, networks: int, seed: int, shrink: int = 0):
    oracles = _oracles()
    result = run_campaign(subject_fn, subject, oracles, CampaignOptions(networks=networks, seed=seed))
    if shrink:
        result = replace(result, cases=attach_reproductions(
            result.cases, subject_fn, oracles, max_cases=shrink,
            subject_import=f"{__file__}:bias_over_batch"))
    return result


@pytest.fixture(scope="module")
def failing():
    """A campaign of a broken subject whose name is an HTML injection attempt."""
    return _campaign(bias_over_batch, EVIL, networks=6, seed=3, shrink=2)


@pytest.fixture(scope="module")
def failing_report(failing):
    return report_dict(failing)


@pytest.fixture(scope="module")
def passing_report():
    return report_dict(_campaign(loss_and_grads, "reference", networks=4, seed=5))


@pytest.fixture(scope="module")
def validator():
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# ---- report.json ---------------------------------------------------------------------------


def test_failing_and_passing_reports_validate_against_the_schema(failing_report, passing_report,
                                                                 validator):
    assert failing_report["verdict"] == "fail" and passing_report["verdict"] == "pass"
    for report in (failing_report, passing_report):
        validator.validate(json.loads(to_json(report)))


def test_schema_rejects_reports_that_break_it(failing_report, validator):
    broken = json.loads(to_json(failing_report))
    del broken["cases"][0]["blame"]
    assert not validator.is_valid(broken)
    broken = json.loads(to_json(failing_report))
    broken["verdict"] = "maybe"
    assert not validator.is_valid(broken)


def test_schema_ships_inside_the_package():

    path = Path(crosscheck.reports.__file__).parent / "schema" / "report.schema.json"
    assert path.is_file() and load_schema()["title"] == "crosscheck report.json"
    text = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    assert '"crosscheck.reports" = ["schema/*.json"]' in text


def test_report_records_environment_and_blames_the_subject(failing_report):
    env = failing_report["environment"]
    assert {"python", "numpy", "torch"} <= set(env)
    assert "tensorflow" in env or "tensorflow-cpu" in env
    fails = [c for c in failing_report["cases"] if c["verdict"] == "fail"]
    assert fails
    for c in fails:
        assert c["blame"] == [EVIL]
        bad = {t["tensor"] for t in c["tensors"] if t["status"] != "agree"}
        assert bad and all(t.startswith("b") for t in bad)


def test_worst_elements_carry_indices_and_both_true_values(failing, failing_report):
    """The listed elements are the real subject and torch values at those indices."""
    case = next(c for c in failing_report["cases"] if c["verdict"] == "fail")
    regenerated = case_for(failing.options, case["index"])
    _, wrong = bias_over_batch(regenerated.params, regenerated.X, regenerated.Y, regenerated.spec)
    _, right = get_oracle("torch").loss_and_grads(regenerated.params, regenerated.X, regenerated.Y,
                                                  regenerated.spec)
    tensor = next(t for t in case["tensors"] if t["status"] != "agree" and t["tensor"] != "loss")
    elements = tensor["worst_elements"]["torch"]
    name = tensor["tensor"]
    assert len(elements) == min(8, wrong[name].size)
    diffs = np.abs(wrong[name] - right[name])
    assert elements[0]["abs_diff"] == pytest.approx(diffs.max(), rel=1e-12)
    for el in elements:
        idx = tuple(el["index"])
        assert el["subject"] == pytest.approx(wrong[name][idx], rel=1e-12)
        assert el["oracle"] == pytest.approx(right[name][idx], rel=1e-9)


def test_grad_norm_profile_is_per_party_and_tensor(failing_report):
    case = failing_report["cases"][0]
    names = [t["tensor"] for t in case["tensors"] if t["tensor"] != "loss"]
    assert set(case["grad_norms"]) == {EVIL, *ORACLES}
    assert all(list(v) == names for v in case["grad_norms"].values())


def test_same_seed_same_report_apart_from_timings_and_versions():
    one = report_dict(_campaign(bias_over_batch, "s", networks=4, seed=11, shrink=1))
    two = report_dict(_campaign(bias_over_batch, "s", networks=4, seed=11, shrink=1))
    other = report_dict(_campaign(bias_over_batch, "s", networks=4, seed=12, shrink=1))
    assert any(c["reproduction"] for c in one["cases"])
    assert json.dumps(strip_volatile(one)) == json.dumps(strip_volatile(two))
    assert json.dumps(strip_volatile(one)) != json.dumps(strip_volatile(other))


def test_volatile_keys_are_only_timings_and_versions(failing_report):
    assert VOLATILE_KEYS == {"seconds", "environment"}
    stripped = strip_volatile(failing_report)
    assert set(failing_report) - set(stripped) == {"seconds", "environment"}
    assert "seconds" not in stripped["cases"][0] and "tensors" in stripped["cases"][0]


# ---- report.md -----------------------------------------------------------------------------


def test_markdown_is_short_lists_the_worst_case_first_and_escapes(failing_report):
    md = render_md(failing_report)
    worst = failing_worst_first(failing_report)[0]
    rows = [line for line in md.splitlines() if line.startswith("| case-")]
    assert rows and rows[0].startswith(f"| {worst['name']} |")
    assert len(md.splitlines()) < 30
    assert "## crosscheck: FAIL" in md
    assert worst["reproduction"]["script_name"] in md
    assert "<script>" not in md.replace(f"`{EVIL}`", "")  # raw only inside a code span
    assert "\\<script\\>" in md  # a table cell shows the name escaped, not as an entity
    assert "&gt;" not in md and "&lt;" not in md and "&amp;" not in md


def test_markdown_of_a_passing_run(passing_report):
    md = render_md(passing_report)
    assert "## crosscheck: PASS" in md and "| case" not in md


# ---- report.html ---------------------------------------------------------------------------


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        self.ids += [v for k, v in attrs if k == "id" and v]

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    p.close()
    return p


def _check_html_structure(html: str, report: dict) -> _Collect:
    """What a reader needs, checked without a browser: no script, no network, the subject's
    name shown as text, one section per failing case with heatmap, norm profile, worst
    elements and reproduction."""
    p = _parse(html)
    text = "".join(p.text)
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags
    assert not any(k in ("src", "href") for k, _ in p.attrs)
    assert not any(k.startswith("on") for k, _ in p.attrs)
    assert EVIL in text  # the injection attempt renders as text
    fails = failing_worst_first(report)
    assert p.ids[:len(fails)] == [c["name"] for c in fails]
    assert p.tags.count("svg") == len(fails)
    assert p.tags.count("details") == sum(1 for c in fails if c["reproduction"])
    for c in fails:
        for t in c["tensors"]:
            for el in (t.get("worst_elements") or {}).get("torch", []):
                assert el["label"] in text
    return p


def test_html_escapes_everything_and_holds_every_section(failing_report):
    _check_html_structure(render_html(failing_report), failing_report)


def test_html_escapes_an_error_message_from_user_code(validator):
    result = run_campaign(raises_evil, "raiser", _oracles(), CampaignOptions(networks=2, seed=0))
    report = report_dict(result)
    validator.validate(report)
    html = render_html(report)
    p = _parse(html)
    assert "script" not in p.tags
    assert f"raiser raised ValueError: {EVIL}" in "".join(p.text)
    assert failing_worst_first(report)[0]["error"]
    ET.fromstring(render_junit(report))  # still well-formed XML


def _chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={cwd / 'profile'}", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=True)


def test_html_renders_in_chromium_or_passes_the_parser_structure_check(failing_report, tmp_path):
    """With Debian's Chromium installed, render the failing report headless: a screenshot is
    produced and the DOM the browser built holds no script element and shows the subject's
    ``<script>`` name as text. Without Chromium (no skip): the html.parser structure check,
    the strongest browser-free check."""
    html = render_html(failing_report)
    _check_html_structure(html, failing_report)
    if not os.path.exists(CHROMIUM):
        return
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    _chromium("--screenshot=" + str(tmp_path / "shot.png"), "--window-size=1280,1600",
              page.as_uri(), cwd=tmp_path)
    png = (tmp_path / "shot.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    dom = _chromium("--dump-dom", page.as_uri(), cwd=tmp_path).stdout
    p = _parse(dom)
    assert "script" not in p.tags and EVIL in "".join(p.text)
    assert p.tags.count("svg") == len(failing_worst_first(failing_report))


# ---- junit.xml -----------------------------------------------------------------------------


def test_junit_has_one_test_per_network_and_oracle(failing_report):
    root = ET.fromstring(render_junit(failing_report))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    n, oracles = len(failing_report["cases"]), failing_report["oracles"]
    expected_failures = sum(
        1 for c in failing_report["cases"] for o in oracles
        if c["error"] or any(not d["ok"] for d in subject_diffs(c, o)))
    assert len(cases) == int(suite.get("tests")) == int(root.get("tests")) == n * len(oracles)
    failures = [tc for tc in cases if tc.find("failure") is not None]
    assert len(failures) == int(suite.get("failures")) == expected_failures > 0
    assert all(EVIL in tc.get("classname") for tc in cases)
    assert all(" vs " in tc.get("name") for tc in cases)


# ---- writing -------------------------------------------------------------------------------


def test_reports_are_written_all_or_nothing(failing_report, tmp_path, monkeypatch):
    (tmp_path / "ok").mkdir()
    names = {p.name for p in writers.write_report_dir(failing_report, tmp_path / "ok")}
    assert {"report.json", "report.md", "report.html", "junit.xml"} <= names
    assert any(n.startswith("repro_") for n in names)

    def boom(report):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(writers, "render_junit", boom)
    (tmp_path / "bad").mkdir()
    with pytest.raises(RuntimeError):
        writers.write_report_dir(failing_report, tmp_path / "bad")
    assert list((tmp_path / "bad").iterdir()) == []  # no report, no temp file


# ---- shrinking and reproduction ------------------------------------------------------------


def test_shrink_finds_a_smaller_network_that_fails_the_same_way(failing):
    original = max(failing.failures, key=lambda c: sum(c.spec.sizes) + c.case.batch)
    small, result, steps, checks = shrink_case(original, bias_over_batch, _oracles())
    assert steps > 0 and checks >= steps
    assert result.verdict == "fail" and result.blame == original.blame
    assert small.spec.depth <= original.spec.depth
    assert sum(small.spec.sizes) + small.batch < sum(original.spec.sizes) + original.case.batch
    assert small.batch >= 2  # this bug is invisible at batch 1: the shrink must keep batch > 1
    again = shrink_case(original, bias_over_batch, _oracles())
    assert again[0].spec == small.spec and np.array_equal(again[0].X, small.X)


def _run_script(text: str, tmp_path: Path, name: str = "repro.py") -> subprocess.CompletedProcess:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


def test_repro_script_runs_standalone_and_shows_the_disagreement(failing_report, tmp_path):
    case = next(c for c in failing_report["cases"] if c["reproduction"])
    repro = case["reproduction"]
    done = _run_script(repro["script"], tmp_path)
    assert done.returncode == 1, done.stderr
    assert "subject: called" in done.stdout  # it re-imported bias_over_batch from this file
    disagree = [line for line in done.stdout.splitlines() if line.startswith("DISAGREE")]
    assert disagree and all(line.split()[1].startswith("b") for line in disagree)


def test_repro_script_uses_recorded_gradients_without_the_subject_and_passes_when_right(tmp_path):
    from crosscheck.reports.repro import reproduction_script

    case = case_for(CampaignOptions(seed=2), 0)
    for fn, expected in ((loss_and_grads, 0), (bias_over_batch, 1)):
        result = check_case(case, fn, _oracles(), subject="s")
        script = reproduction_script(case, subject="s", recorded=result.parties[0])
        done = _run_script(script, tmp_path)
        assert done.returncode == expected, done.stdout + done.stderr
        assert "using the recorded gradients" in done.stdout
        if expected and case.batch > 1:
            assert "DISAGREE b" in done.stdout


# ---- crosscheck run ------------------------------------------------------------------------


def _main(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_run_writes_four_reports_and_exits_0(tmp_path, capsys, validator):
    d = tmp_path / "r"
    code, out, err = _main(["run", "--networks", "3", "--seed", "1", "--oracles", "torch,fd",
                            "--report", str(d)], capsys)
    assert code == 0 and "verdict: PASS" in out
    assert sorted(p.name for p in d.iterdir()) == ["junit.xml", "report.html", "report.json",
                                                   "report.md"]
    validator.validate(json.loads((d / "report.json").read_text()))


def test_run_exits_1_on_a_discrepancy_with_a_reproduction(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cmd_run, "loss_and_grads", bias_over_batch)
    d = tmp_path / "r"
    code, out, err = _main(["run", "--networks", "3", "--seed", "4", "--oracles", "torch,fd",
                            "--shrink", "1", "--report", str(d)], capsys)
    assert code == 1 and "verdict: FAIL" in out
    report = json.loads((d / "report.json").read_text())
    assert sum(1 for c in report["cases"] if c["reproduction"]) == 1
    assert len(list(d.glob("repro_case-*.py"))) == 1


def test_run_with_a_bad_report_path_exits_2_and_writes_nothing(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = _main(["run", "--networks", "2", "--oracles", "torch,fd", "--report", str(blocker)],
                           capsys)
    assert code == 2 and err.count("\n") == 1 and "not a directory" in err
    assert blocker.read_text() == "x" and sorted(tmp_path.iterdir()) == [blocker]


def test_nan_values_round_trip_as_text(validator):
    def nan_bias(params, X, Y, spec):
        loss, grads = loss_and_grads(params, X, Y, spec)
        grads["b1"] = np.full_like(grads["b1"], np.nan)
        return loss, grads

    case = case_for(CampaignOptions(seed=0), 0)
    d = case_to_dict(check_case(case, nan_bias, _oracles(), subject="nan"))
    report = report_dict(run_campaign(nan_bias, "nan", _oracles(), CampaignOptions(networks=1)))
    validator.validate(json.loads(to_json(report)))
    assert d["verdict"] == "fail"
    assert math.isnan(float(d["grad_norms"]["nan"]["b1"]))


def test_two_cli_runs_with_the_same_seed_write_the_same_report(tmp_path, capsys):
    reports = []
    for name in ("a", "b"):
        assert _main(["run", "--networks", "3", "--seed", "8", "--oracles", "torch,fd", "--report",
                      str(tmp_path / name)], capsys)[0] == 0
        reports.append(strip_volatile(json.loads((tmp_path / name / "report.json").read_text())))
    assert reports[0] == reports[1]
    assert (tmp_path / "a" / "report.md").read_text() == (tmp_path / "b" / "report.md").read_text()


def test_html_reproduction_block_regenerates_the_failing_case(failing, failing_report):
    import html as html_lib
    import re

    page = render_html(failing_report)
    worst = failing_worst_first(failing_report)[0]
    section = page[page.index(f"id='{worst['name']}'"):]
    snippet = re.search(r"<pre>(from crosscheck\.engine\.campaign.*?)</pre>", section, re.S)
    code = html_lib.unescape(snippet[1])
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - our own generated snippet
    expected = case_for(failing.options, worst["index"])
    assert namespace["case"].spec == expected.spec
    assert np.array_equal(namespace["case"].X, expected.X)
