"""The whole run of ``crosscheck grade`` and ``crosscheck merge``.

Everything goes into a temporary directory beside ``--out`` and is renamed into place only
when the class report is written, so ``--out`` holds one whole run or what it held before
(a rerun replaces it whole; an interrupted one leaves nothing). The class report is made from
the students' records alone (:func:`class_dict`): that is why ``--shard 1/2``, ``--shard 2/2``
and ``merge`` give the unsharded run's report.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from crosscheck.errors import UsageError
from crosscheck.grade.pool import grade_all
from crosscheck.grade.student import FINDINGS, GradeConfig
from crosscheck.grade.submissions import Submission

__all__ = ["CLASS_FILES", "CLASS_SCHEMA", "class_dict", "grade_class", "merge_outputs"]

CLASS_SCHEMA = "1.0"
CLASS_FILES = ("class.json", "class.md", "class.html")


def class_dict(records: list[dict], assignment: dict, *, shard: dict | None = None,
               seconds: float = 0.0) -> dict:
    """The class report as data: counts by finding (:data:`FINDINGS`, in its order), each
    catalogued bug with the students whose code it explains, the students whose wrong code
    nothing explains, and every student's record (their ``seconds`` included)."""
    records = sorted(records, key=lambda r: r["name"])
    bugs: dict[str, list[str]] = {}
    for r in records:
        for pid in r["bugs"]:
            bugs.setdefault(pid, []).append(r["name"])
    return {
        "schema_version": CLASS_SCHEMA,
        "assignment": assignment,
        "shard": shard,
        "students": len(records),
        "passed": sum(r["verdict"] == "pass" for r in records),
        "findings": [{"finding": key, "meaning": meaning,
                      "students": [r["name"] for r in records if r["finding"] == key]}
                     for key, meaning in FINDINGS.items()],
        "bugs": [{"id": pid, "students": names}
                 for pid, names in sorted(bugs.items(), key=lambda kv: (-len(kv[1]), kv[0]))],
        "unexplained": [r["name"] for r in records if r["finding"] == "unexplained"],
        "seconds": round(seconds, 3),
        "records": records,
    }


def _render(report: dict) -> dict[str, str]:
    from crosscheck.reports.class_html import render_class_html
    from crosscheck.reports.class_md import render_class_md
    from crosscheck.reports.report_json import to_json

    return {"class.json": to_json(report), "class.md": render_class_md(report),
            "class.html": render_class_html(report)}


def check_out(out, *, inputs: tuple = ()) -> Path:
    """``--out``: a directory that is absent, empty, or an earlier grade's output (it holds
    class.json), and neither inside nor around the submissions. A UsageError otherwise."""
    d = Path(out)
    if d.exists() and not d.is_dir():
        raise UsageError(f"--out {out}: exists and is not a directory")
    if d.is_dir() and any(d.iterdir()) and not (d / "class.json").is_file():
        raise UsageError(f"--out {out}: holds files that are not a grade's output (no "
                         f"class.json), so it will not be replaced; choose another directory")
    here = d.resolve()
    for given in inputs:
        there = Path(given).resolve()
        if here == there or there in here.parents or here in there.parents:
            raise UsageError(f"--out {out}: overlaps {given}; choose a directory outside it")
    try:
        here.parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkdtemp(prefix=f".{here.name}.probe-", dir=here.parent)
        os.rmdir(probe)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    return here


@contextmanager
def _staged(out: Path):
    """A temporary directory beside ``out`` that becomes ``out`` when the block ends well
    (the old ``out``, if any, removed), and is removed when it does not."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "out")
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def grade_class(subs: list[Submission], out: Path, cfg: GradeConfig, assignment: dict, *,
                jobs: int, shard: dict | None = None,
                done: Callable[[dict], None] | None = None) -> dict:
    """Grade ``subs`` into ``out`` (checked with :func:`check_out`): a folder per student
    under students/, then class.json, class.md and class.html. Returns the class report."""
    from crosscheck.reports.atomic import write_files_atomic

    start = time.perf_counter()
    with _staged(out) as tmp:
        (tmp / "students").mkdir()
        records = grade_all(subs, tmp, cfg, jobs=jobs, done=done)
        report = class_dict(records, assignment, shard=shard,
                            seconds=time.perf_counter() - start)
        write_files_atomic(tmp, _render(report))
    return report


def merge_outputs(dirs: list, out) -> dict:
    """``crosscheck merge``: the shard outputs ``dirs`` (1/N ... N/N of one class, graded with
    the same arguments) as one output in ``out``, as the unsharded run would have written it
    but for its timing."""
    from crosscheck.reports.atomic import write_files_atomic

    reports = []
    for d in dirs:
        path = Path(d) / "class.json"
        try:
            reports.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{d}: no readable class.json, not a grade's output "
                             f"({getattr(exc, 'strerror', None) or exc})") from None
    first = reports[0]
    for d, r in zip(dirs, reports, strict=True):
        if r.get("assignment") != first.get("assignment"):
            raise UsageError(f"{d} was graded with other arguments than {dirs[0]}: "
                             f"{r.get('assignment')} vs {first.get('assignment')}")
    shards = [r.get("shard") for r in reports]
    if None in shards:
        raise UsageError(f"{dirs[shards.index(None)]} is a whole class, not a shard (--shard I/N)")
    totals = {s["of"] for s in shards}
    if len(totals) != 1:
        raise UsageError(f"the shards come from different splits: of {sorted(totals)}")
    total = totals.pop()
    have = sorted(s["index"] for s in shards)
    if have != list(range(1, total + 1)):
        missing = sorted(set(range(1, total + 1)) - set(have))
        twice = sorted({i for i in have if have.count(i) > 1})
        raise UsageError("shards " + (f"missing: {', '.join(f'{i}/{total}' for i in missing)}"
                                      if missing else
                                      f"given twice: {', '.join(f'{i}/{total}' for i in twice)}"))
    records = [rec for r in reports for rec in r["records"]]
    names = [rec["name"] for rec in records]
    size = {s["class_size"] for s in shards}
    if len(set(names)) != len(names) or size != {len(names)}:
        twice = sorted({n for n in names if names.count(n) > 1})
        raise UsageError(f"the shards are not one class: {len(names)} students in all, for a "
                         f"class of {' or '.join(map(str, sorted(size)))}"
                         + (f"; graded twice: {', '.join(twice)}" if twice else ""))
    out = check_out(out, inputs=tuple(dirs))
    with _staged(out) as tmp:
        students = tmp / "students"
        students.mkdir()
        for d, r in zip(dirs, reports, strict=True):
            for rec in r["records"]:
                shutil.copytree(Path(d) / "students" / rec["name"], students / rec["name"])
        report = class_dict(records, first["assignment"],
                            seconds=sum(r.get("seconds", 0.0) for r in reports))
        write_files_atomic(tmp, _render(report))
    return report
