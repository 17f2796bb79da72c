"""``crosscheck grade``: a small class of ten submissions (tests/subjects/grade_class: correct
ones, catalogued bugs, an unexplained one, a hang, a syntax error, a print, ``os._exit``, a
raise, and a folder per student), graded whole with two jobs, then again as two shards merged;
each student's verdict, their report.json and Gradescope results.json, the class report (and
class.html in a headless browser where one is installed), and bad input."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest
from crosscheck.reports.report_json import strip_volatile

from crosscheck.cli.main import main
from crosscheck.grade.submissions import Submission, discover, parse_shard, shard

CLASS = Path(__file__).parent / "subjects" / "grade_class"
FLAGS = ["--networks", "3", "--sizes", "3-4-2", "--activations", "tanh,identity", "--loss", "mse",
         "--batch", "3", "--timeout", "1", "--oracles", "torch,fd"]
# what each student's code does: (finding, catalogued bugs named)
EXPECTED = {
    "alice": ("pass", []), "bob": ("bug", ["bias-mean-vs-sum"]), "carol": ("bug", ["sign-flip"]),
    "dave": ("hangs", []), "erin": ("does-not-load", []), "frank": ("pass", []),
    "grace": ("ends-process", []), "heidi": ("pass", []), "ivan": ("unexplained", []),
    "judy": ("misbehaves", []),
}
CHROMIUM = "/usr/bin/chromium"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded whole, with two grading processes."""
    out = tmp_path_factory.mktemp("graded") / "out"
    code, stdout, stderr = _run("grade", str(CLASS), "--out", str(out), "--jobs", "2", *FLAGS)
    assert code == 0, stderr
    return out, stdout


def _class(out: Path) -> dict:
    return json.loads((out / "class.json").read_text())


def test_every_student_gets_their_verdict(graded):
    out, stdout = graded
    report = _class(out)
    got = {r["name"]: (r["finding"], r["bugs"]) for r in report["records"]}
    assert got == EXPECTED
    assert report["students"] == 10 and report["passed"] == 3
    assert stdout.startswith("graded 10 students: 3 pass, 2 bug, 1 unexplained, 1 hangs, ")
    # frank printed: it is in his report, his verdict is his gradients'
    frank = json.loads((out / "students" / "frank" / "report.json").read_text())
    assert frank["verdict"] == "pass"
    assert all("debug: forward done" in c["output"] for c in frank["cases"])
    # heidi's folder holds two files; the one defining loss_and_grads was graded
    heidi = next(r for r in report["records"] if r["name"] == "heidi")
    assert heidi["submission"].endswith("heidi/backprop.py")
    for name in EXPECTED:  # verify's report.json, for every student, the unloadable one too
        assert json.loads((out / "students" / name / "report.json").read_text())["verdict"] in (
            "pass", "fail")


def test_gradescope_results_hold_score_tests_and_feedback(graded):
    out, _ = graded
    for name, (finding, bugs) in EXPECTED.items():
        results = json.loads((out / "students" / name / "results.json").read_text())
        tests = results["tests"]
        assert len(tests) == 3
        for t in tests:
            assert set(t) == {"name", "score", "max_score", "output", "visibility"}
            assert t["max_score"] == 1 and t["visibility"] == "visible"
        assert results["score"] == sum(t["score"] for t in tests) == (3 if finding == "pass"
                                                                      else 0)
        path = "heidi/backprop.py" if name == "heidi" else f"{name}.py"
        assert (f"crosscheck verify {CLASS / path}:loss_and_grads --networks 3 --sizes 3-4-2"
                in results["output"])
        for bug in bugs:  # the diagnosis, in the feedback and in the failing test's output
            assert bug in results["output"] and bug in tests[0]["output"]
    erin = json.loads((out / "students" / "erin" / "results.json").read_text())
    assert "loss_and_grads" in erin["tests"][0]["output"]
    assert all(t["output"] == erin["tests"][0]["output"] for t in erin["tests"])
    dave = json.loads((out / "students" / "dave" / "results.json").read_text())
    assert "did not return within 1 s" in dave["tests"][0]["output"]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags, self.bars, self.links, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "g" and "data-count" in a:
            self.bars.append((a["data-label"], int(a["data-count"])))
        if tag == "a":
            self.links.append(a["href"])

    def handle_data(self, data):
        self.text.append(data)


def _check_page(html: str, report: dict, out: Path) -> _Page:
    """The page's bars are the class.json counts, every student links to their report, and
    nothing in it runs or loads anything."""
    p = _Page()
    p.feed(html)
    assert "script" not in p.tags and "img" not in p.tags and "link" not in p.tags
    findings = [(f["finding"], len(f["students"])) for f in report["findings"]]
    bugs = [(b["id"], len(b["students"])) for b in report["bugs"]]
    assert p.bars == findings + bugs
    assert p.tags.count("svg") == 2
    assert sorted(p.links) == sorted([f"students/{n}/report.html" for n in EXPECTED]
                                     + ["students/ivan/report.html"])  # unexplained, twice
    assert all((out / link).is_file() for link in p.links)
    text = "".join(p.text)
    assert "ivan" in text and "bias-mean-vs-sum" in text
    return p


def test_class_report_counts_bugs_and_unexplained(graded):
    out, _ = graded
    report = _class(out)
    counts = {f["finding"]: f["students"] for f in report["findings"]}
    assert counts["pass"] == ["alice", "frank", "heidi"] and counts["crashes"] == []
    assert report["bugs"] == [{"id": "bias-mean-vs-sum", "students": ["bob"]},
                              {"id": "sign-flip", "students": ["carol"]}]
    assert report["unexplained"] == ["ivan"]
    assert all(r["seconds"] > 0 for r in report["records"])
    md = (out / "class.md").read_text()
    for section in ("## Verdicts", "## Bugs", "## Unexplained", "## Students", "## Timing"):
        assert section in md
    assert "| bias-mean-vs-sum | 1 | bob |" in md and "- ivan: 3 of 3 networks disagree" in md
    _check_page((out / "class.html").read_text(), report, out)


def test_class_html_in_a_headless_browser_or_the_parser_check(graded, tmp_path):
    """With Debian's Chromium installed: the DOM the browser built from class.html has the
    bars and links of class.json, and a screenshot is drawn. Without it (said in a warning, no
    skip): the html.parser check of the same page."""
    out, _ = graded
    report, page = _class(out), out / "class.html"
    _check_page(page.read_text(), report, out)
    if not os.path.exists(CHROMIUM):
        warnings.warn("no headless browser here (/usr/bin/chromium): class.html got the "
                      "html.parser check only", stacklevel=1)
        return
    run = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*run, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    _check_page(dom, report, out)
    subprocess.run([*run, f"--screenshot={tmp_path / 'shot.png'}", "--window-size=1200,1400",
                    page.as_uri()], capture_output=True, timeout=120, check=True)
    png = (tmp_path / "shot.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


_TIMING = re.compile(r"(\d+(\.\d+)? s\b|<td class=\"num\">\d+\.\d</td></tr>|\| \d+\.\d \||"
                     r" time=\"[\d.e-]+\")")


# where a hanging call was stopped (its stack dump) moves from run to run, like its timing
_STACK = re.compile(r'File (?:"|&quot;).*?(?:"|&quot;), line \d+, in [^\n]*\n[^\n]*')


def _steady(value):
    if isinstance(value, dict):
        return {k: _steady(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_steady(v) for v in value]
    return _STACK.sub("STACK", _TIMING.sub("T", value)) if isinstance(value, str) else value


def _files(root: Path) -> dict[str, object]:
    """Every file under ``root``: JSON without its timing fields, other text with its timing
    figures blanked (class.md, class.html and the students' reports print seconds), and the
    stack dumps of a hang blanked."""
    files = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            text = p.read_text()
            files[str(p.relative_to(root))] = _steady(strip_volatile(json.loads(text))
                                                      if p.suffix == ".json" else text)
    return files


def test_two_shards_merged_equal_the_whole_run(graded, tmp_path):
    out, _ = graded
    parts = []
    for i in (1, 2):
        part = tmp_path / f"part{i}"
        code, stdout, err = _run("grade", str(CLASS), "--out", str(part), "--jobs", "1",
                                 "--shard", f"{i}/2", *FLAGS)
        assert code == 0, err
        assert f"(shard {i}/2)" in stdout
        parts.append(part)
    names = [sorted(p.name for p in (part / "students").iterdir()) for part in parts]
    assert names == [["alice", "carol", "erin", "grace", "ivan"],
                     ["bob", "dave", "frank", "heidi", "judy"]]
    assert _class(parts[0])["shard"] == {"index": 1, "of": 2, "class_size": 10}
    merged = tmp_path / "merged"
    code, _, err = _run("merge", str(parts[1]), str(parts[0]), "--out", str(merged))
    assert code == 0, err
    whole, joined = _files(out), _files(merged)
    assert sorted(joined) == sorted(whole)
    assert [name for name in whole if joined[name] != whole[name]] == []


def _tiny_class(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    for name in names:
        shutil.copy(CLASS / f"{name}.py", folder / f"{name}.py")
    return folder


def test_a_rerun_replaces_the_output_whole_and_an_interrupted_one_leaves_it(tmp_path,
                                                                             monkeypatch):
    folder, out = _tiny_class(tmp_path, "erin"), tmp_path / "out"
    (folder / "zed.py").write_text("def loss_and_grads(params, X, Y, spec)\n    return 0\n")
    assert _run("grade", str(folder), "--out", str(out), "--jobs", "1", *FLAGS)[0] == 0
    zed = next(r for r in _class(out)["records"] if r["name"] == "zed")
    assert zed["finding"] == "does-not-load" and "SyntaxError" in zed["conclusion"]
    (out / "stray.txt").write_text("from before")
    (out / "students" / "mallory").mkdir()
    assert _run("grade", str(folder), "--out", str(out), "--jobs", "1", *FLAGS)[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["class.html", "class.json", "class.md",
                                                     "students"]
    assert sorted(p.name for p in (out / "students").iterdir()) == ["erin", "zed"]
    before = _files(out)

    import crosscheck.grade.pool as pool

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pool, "_in_processes", interrupted)
    assert _run("grade", str(folder), "--out", str(out), "--jobs", "1", *FLAGS)[0] == 130
    assert _files(out) == before  # the earlier output, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class", "out"]  # no temp left


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("ci", ["", "true"])
def test_progress_on_a_terminal_and_not_in_ci(tmp_path, monkeypatch, ci):
    folder = _tiny_class(tmp_path, "erin")
    monkeypatch.setenv("CI", ci) if ci else monkeypatch.delenv("CI", raising=False)
    err = _Terminal()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["grade", str(folder), "--out", str(tmp_path / "out"), *FLAGS]) == 0
    shown = "grade [" in err.getvalue() and "1/1  1 failed" in err.getvalue()
    assert shown == (not ci)


def _bad(tmp_path: Path, *argv: str) -> str:
    code, stdout, stderr = _run(*argv)
    assert code == 2 and stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith("crosscheck: error: ")
    return stderr


def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path):
    out = tmp_path / "out"
    assert "no such folder" in _bad(tmp_path, "grade", str(tmp_path / "nope"), "--out", str(out))
    (tmp_path / "empty").mkdir()
    assert "no submissions" in _bad(tmp_path, "grade", str(tmp_path / "empty"), "--out", str(out))
    twice = _tiny_class(tmp_path, "alice")
    (twice / "Alice").mkdir()
    shutil.copy(CLASS / "alice.py", twice / "Alice" / "alice.py")
    assert "two submissions are named" in _bad(tmp_path, "grade", str(twice), "--out", str(out))
    assert "--shard wants I/N" in _bad(tmp_path, "grade", str(twice), "--out", str(out),
                                       "--shard", "3/2")
    assert "--report" in _bad(tmp_path, "grade", str(twice), "--out", str(out),
                              "--report", str(out))
    assert not out.exists()
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(CLASS / "alice.py", good / "alice.py")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep")
    assert "not a grade's output" in _bad(tmp_path, "grade", str(good), "--out",
                                          str(tmp_path / "notes"))
    assert "overlaps" in _bad(tmp_path, "grade", str(good), "--out", str(good / "out"))
    (tmp_path / "afile").write_text("")
    assert "not a directory" in _bad(tmp_path, "grade", str(good), "--out",
                                     str(tmp_path / "afile"))
    assert "--layer relu wants" in _bad(tmp_path, "grade", str(good), "--out", str(out),
                                        "--layer", "relu", "relu_forward")
    # a layer assignment counts --cases (verify-layer's word), a network one --networks
    assert "the number of cases is --cases" in _bad(
        tmp_path, "grade", str(good), "--out", str(out), "--layer", "relu", "relu_forward",
        "relu_backward", "--networks", "5")
    assert "--cases counts a layer assignment's cases" in _bad(
        tmp_path, "grade", str(good), "--out", str(out), "--cases", "5")
    assert "not a grade's output" in _bad(tmp_path, "merge", str(tmp_path / "notes"),
                                          "--out", str(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "class", "empty", "good",
                                                          "notes"]
    assert sorted(p.name for p in good.iterdir()) == ["alice.py"]


def test_merge_refuses_a_missing_shard_and_a_whole_class(graded, tmp_path):
    out, _ = graded
    assert "a whole class, not a shard" in _bad(tmp_path, "merge", str(out), "--out",
                                                str(tmp_path / "m"))
    folder = _tiny_class(tmp_path, "erin", "grace")
    part = tmp_path / "p1"
    assert _run("grade", str(folder), "--out", str(part), "--shard", "1/2", *FLAGS)[0] == 0
    assert "missing: 2/2" in _bad(tmp_path, "merge", str(part), "--out", str(tmp_path / "m"))
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(CLASS / "erin.py", other / "erin.py")
    part2 = tmp_path / "p2"  # 2/2 of another class: none of its one student
    assert _run("grade", str(other), "--out", str(part2), "--shard", "2/2", *FLAGS)[0] == 0
    assert _class(part2)["students"] == 0
    assert "not one class: 1 students in all, for a class of 1 or 2" in _bad(
        tmp_path, "merge", str(part), str(part2), "--out", str(tmp_path / "m"))
    assert not (tmp_path / "m").exists()


def test_shards_partition_the_class_deterministically():
    subs = [Submission(f"s{i:02d}", f"s{i:02d}.py") for i in range(23)]
    for n in (1, 2, 3, 7, 30):
        parts = [shard(subs, (i, n)) for i in range(1, n + 1)]
        assert sorted(s.name for p in parts for s in p) == [s.name for s in subs]
        assert parts == [shard(list(subs), (i, n)) for i in range(1, n + 1)]
    assert parse_shard("2/3") == (2, 3) and parse_shard(None) is None


def test_a_folder_per_student_names_the_file_or_says_why(tmp_path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "a.py").write_text("def loss_and_grads(p, X, Y, s): pass\n")
    (tmp_path / "ann" / "b.py").write_text("def helper(): pass\n")
    (tmp_path / "bo").mkdir()
    (tmp_path / "cy").mkdir()
    (tmp_path / "cy" / "x.py").write_text("def loss_and_grads(p, X, Y, s): pass\n")
    (tmp_path / "cy" / "y.py").write_text("def loss_and_grads(p, X, Y, s): pass\n")
    (tmp_path / "__pycache__").mkdir()
    got = {s.name: s for s in discover(tmp_path, ("loss_and_grads",))}
    assert sorted(got) == ["ann", "bo", "cy"]
    assert got["ann"].path.endswith("ann/a.py") and not got["ann"].problem
    assert got["bo"].path is None and "no .py file" in got["bo"].problem
    assert got["cy"].path is None and "--file NAME" in got["cy"].problem
    assert discover(tmp_path, ("loss_and_grads",), file="y.py")[2].path.endswith("cy/y.py")


def test_a_layer_assignment(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    corpus = Path(__file__).parent / "layer_corpus"
    shutil.copy(corpus / "correct" / "activations_vectorised.py", folder / "ann.py")
    shutil.copy(corpus / "buggy" / "sigmoid_relu_v2.py", folder / "ben.py")
    out = tmp_path / "out"
    code, _, err = _run("grade", str(folder), "--out", str(out), "--jobs", "1", "--layer",
                        "sigmoid", "sigmoid_forward", "sigmoid_backward", "--cases", "5")
    assert code == 0, err
    got = {r["name"]: r for r in _class(out)["records"]}
    assert got["ann"]["finding"] == "pass" and got["ann"]["score"] == 5
    assert got["ben"]["verdict"] == "fail" and got["ben"]["score"] < 5
    results = json.loads((out / "students" / "ben" / "results.json").read_text())
    assert (f"crosscheck verify-layer sigmoid {folder / 'ben.py'}:sigmoid_forward "
            f"{folder / 'ben.py'}:sigmoid_backward --cases 5 --seed 0") in results["output"]
    assert json.loads((out / "students" / "ann" / "report.json").read_text())["kind"] == "sigmoid"
    assert not re.search(r"\d s\)", results["output"])  # no timing in the feedback


def test_a_cnn_assignment(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    corpus = Path(__file__).parent / "cnn_corpus"
    shutil.copy(corpus / "correct" / "im2col_layers.py", folder / "ann.py")
    shutil.copy(corpus / "buggy" / "functional_cache_conv_db_batch_mean.py", folder / "ben.py")
    out, net = tmp_path / "out", "3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(16)-relu-affine(5)"
    code, _, err = _run("grade", str(folder), "--out", str(out), "--jobs", "1", "--cnn", net,
                        "--networks", "2", "--oracles", "torch,fd", "--shrink", "0")
    assert code == 0, err
    got = {r["name"]: r for r in _class(out)["records"]}
    assert got["ann"]["finding"] == "pass" and got["ben"]["verdict"] == "fail"
    report = json.loads((out / "students" / "ben" / "report.json").read_text())
    assert report["options"]["cnn"] == net
    assert f"--cnn '{net}'" in got["ben"]["reproduce"]


def test_sigterm_ends_the_grading_processes_and_leaves_nothing(tmp_path):
    """SIGTERM while two grading processes work: exit 143, no grading process left, no
    temporary output left, nothing at --out."""
    import signal
    import sys
    import time

    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "crosscheck.cli.main", "grade", str(CLASS),
                             "--out", str(out), "--jobs", "2", *FLAGS],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, CI="1"))
    try:
        deadline = time.monotonic() + 300  # a guard against waiting forever, not a speed test
        while not any(tmp_path.glob(".out.tmp-*/students/*")) and proc.poll() is None:
            if time.monotonic() > deadline:
                pytest.fail("no student was graded in 300 s")
            time.sleep(0.2)
        children = [int(p) for p in subprocess.run(["pgrep", "-P", str(proc.pid)],
                                                   capture_output=True, text=True).stdout.split()]
        assert len(children) == 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for pid in children:  # gone (a zombie reaped by init counts as gone)
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.1)
        assert not Path(f"/proc/{pid}").exists()
    assert list(tmp_path.iterdir()) == []


def _tasks(tmp_path: Path, *names: str):
    """The grading configuration of FLAGS and one task per student, as a grading process
    receives them (crosscheck.grade.pool.replies runs them here, in this process)."""
    from crosscheck.cli.grade import config
    from crosscheck.cli.main import build_parser
    from crosscheck.grade.pool import student_dir
    from crosscheck.grade.submissions import discover

    folder = _tiny_class(tmp_path, *names)
    args = build_parser().parse_args(["grade", str(folder), "--out", str(tmp_path / "out"),
                                      *FLAGS])
    cfg, _ = config(args)
    subs = discover(folder, cfg.functions)
    return cfg, [{"sub": s.to_dict(), "dir": str(student_dir(tmp_path / "out", s))} for s in subs]


def test_a_grading_process_makes_each_oracle_once_for_the_whole_class(tmp_path, monkeypatch):
    import crosscheck.runner as runner
    from crosscheck.grade.pool import replies
    from crosscheck.options import flag

    made = []
    real = runner.get_oracle

    def counted(name, **options):
        made.append(name)
        return real(name, **options)

    monkeypatch.setattr(runner, "get_oracle", counted)
    cfg, tasks = _tasks(tmp_path, "alice", "bob")
    answered = list(replies(tasks, cfg, flag))
    assert [sorted(r) for r in answered] == [["record"], ["record"]]
    assert sorted(made) == ["fd", "torch"]
    made.clear()
    runner.load_oracles(("fd",)), runner.load_oracles(("fd",))  # outside a grade: fresh ones
    assert made == ["fd", "fd"]


def test_a_missing_framework_is_the_runs_error_not_the_students(tmp_path, monkeypatch):
    from crosscheck.oracles.base import OracleUnavailable

    import crosscheck.runner as runner

    def missing(name, **options):
        raise OracleUnavailable(f"oracle {name!r} needs 'torch', which cannot be imported")

    from crosscheck.grade.pool import replies
    from crosscheck.options import flag

    monkeypatch.setattr(runner, "get_oracle", missing)
    cfg, tasks = _tasks(tmp_path, "alice")
    answered = list(replies(tasks, cfg, flag))  # a grading process's answer: the run's error
    assert len(answered) == 1 and "needs 'torch'" in answered[0].get("error", ""), answered
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.json"))


def test_a_module_that_exits_or_hangs_while_imported_does_not_load(tmp_path):
    """No network of these was checked: their modules never finished importing."""
    subjects = Path(__file__).parent / "subjects"
    (tmp_path / "cls").mkdir()
    shutil.copy(subjects / "ends_process_at_import.py", tmp_path / "cls" / "exits.py")
    shutil.copy(subjects / "slow_import.py", tmp_path / "cls" / "hangs.py")
    code, _, err = _run("grade", str(tmp_path / "cls"), "--out", str(tmp_path / "out"),
                        "--jobs", "1", *FLAGS)
    assert code == 0, err
    got = {r["name"]: r["finding"] for r in _class(tmp_path / "out")["records"]}
    assert got == {"exits": "does-not-load", "hangs": "does-not-load"}


def test_a_student_who_kills_the_grading_process_is_that_students_verdict(tmp_path):
    """A student's call that kills its parent (os.kill(os.getppid(), SIGKILL)) once ended the
    whole run (with --jobs 1, the run itself was that parent); now every student is graded in
    a grading process, the one that dies is replaced, and a student whose code ends it twice
    gets ``ends-process`` while the class goes on. Run as a command: a regression would kill
    it, not the test."""
    import sys

    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "docs" / "examples" / "my_backprop.py",
                folder / "ann.py")
    (folder / "bob.py").write_text(
        "import os\nimport signal\n\n\ndef loss_and_grads(params, X, Y, spec):\n"
        "    os.kill(os.getppid(), signal.SIGKILL)\n    return 0.0, {}\n")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "crosscheck.cli.main", "grade", str(folder),
                          "--out", str(out), "--jobs", "1", "--loss", "mse", "--networks", "2"],
                         capture_output=True, text=True, env=dict(os.environ, CI="1"), timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    got = {r["name"]: r for r in _class(out)["records"]}
    assert got["ann"]["finding"] == "bug" and got["ann"]["bugs"] == ["bias-mean-vs-sum"]
    assert got["bob"]["finding"] == "ends-process"
    assert "ended the grading process twice" in got["bob"]["conclusion"]
    results = json.loads((out / "students" / "bob" / "results.json").read_text())
    assert results["score"] == 0
