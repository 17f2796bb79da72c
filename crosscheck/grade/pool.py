"""``--jobs N``: grading processes, each loading the frameworks once and grading one student
after another (every student's code still runs in a worker of its own, under verify's limits).

A grading process is a fresh interpreter (``subprocess.Popen``, not ``multiprocessing``, for
the reasons crosscheck/subject/worker.py gives) that reads one line of JSON per task on its
stdin and answers one line on a private copy of its stdout: ``{"record": ...}``. It gets this
process's :class:`GradeConfig` (pickled: it is our own process), so it checks every student
exactly as this process would. With
one job, this process grades, with the same function.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import selectors
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from crosscheck.errors import UsageError
from crosscheck.grade.student import GradeConfig, grade_student
from crosscheck.grade.submissions import Submission
from crosscheck.runner import shared_oracles

__all__ = ["grade_all", "serve"]

_BOOT = ("import json, os, sys; sys.path[:] = json.loads(os.environ.pop('CROSSCHECK_GRADE_PATH'));"
         " from crosscheck.grade.pool import serve; serve()")


def student_dir(directory: Path, sub: Submission) -> Path:
    return directory / "students" / sub.name


def grade_all(subs: list[Submission], directory: Path, cfg: GradeConfig, *, jobs: int,
              done: Callable[[dict], None] | None = None) -> list[dict]:
    """Grade every submission into ``directory``/students/NAME, in ``jobs`` grading processes
    (one at least, never this process: a student's worker is a grading process's child, so
    code that signals its parent ends a grading process, not the run); the records in the
    order of ``subs``. ``done(record)`` after each student."""
    done = done or (lambda record: None)
    if not subs:
        return []
    return _in_processes(subs, directory, max(1, min(jobs, len(subs))), cfg, done)


def _in_processes(subs, directory, jobs, cfg, done) -> list[dict]:
    from crosscheck.subject import worker

    init = {"config": base64.b64encode(pickle.dumps(cfg)).decode(), "parent": os.getpid(),
            "worker_path": worker._WORKER_PATH or sys.path}
    env = dict(os.environ, CROSSCHECK_GRADE_PATH=json.dumps(sys.path))
    logs = tempfile.TemporaryDirectory(prefix="crosscheck-grade-")
    procs: list[subprocess.Popen] = []
    selector = selectors.DefaultSelector()
    pending = list(enumerate(subs))
    records: dict[int, dict] = {}
    busy: dict[subprocess.Popen, tuple[int, Submission, int]] = {}  # proc -> (i, sub, tries)

    def start() -> subprocess.Popen:
        log = open(Path(logs.name) / f"grader-{len(procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-c", _BOOT], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=log, env=env,
                                start_new_session=True)
        log.close()
        proc.log = log.name
        procs.append(proc)
        proc.stdin.write((json.dumps(init) + "\n").encode())
        proc.stdin.flush()
        selector.register(proc.stdout, selectors.EVENT_READ, proc)
        return proc

    def give(proc, i, sub, tries=0) -> None:
        busy[proc] = (i, sub, tries)
        task = {"sub": sub.to_dict(), "dir": str(student_dir(directory, sub))}
        proc.stdin.write((json.dumps(task) + "\n").encode())
        proc.stdin.flush()

    try:
        for _ in range(jobs):
            proc = start()
            give(proc, *pending.pop(0))
        while busy:
            for key, _ in selector.select():
                proc = key.data
                line = proc.stdout.readline()
                i, sub, tries = busy.pop(proc)
                if not line:  # the grading process died: once more in a new one
                    selector.unregister(proc.stdout)
                    proc.wait()
                    if not tries:
                        give(start(), i, sub, tries + 1)
                        continue
                    # twice with this student: its code ends the process that grades it (it
                    # signals its parent); that is its verdict, and the class goes on
                    records[i] = grade_student(sub, cfg, student_dir(directory, sub), ended=(
                        f"ended the grading process twice (status {proc.returncode}): the code "
                        f"signals its parent process (os.kill(os.getppid(), ...)) or kills "
                        f"its process group"))
                    done(records[i])
                    if pending:
                        give(start(), *pending.pop(0))
                    continue
                reply = json.loads(line)
                if "error" in reply:
                    raise UsageError(reply["error"])
                records[i] = reply["record"]
                done(reply["record"])
                if pending:
                    give(proc, *pending.pop(0))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
        selector.close()
        logs.cleanup()
    return [records[i] for i in range(len(subs))]


def replies(tasks, cfg: GradeConfig, flag):
    """What a grading process answers, one reply per task (``{"sub": ..., "dir": ...}``):
    ``{"record": ...}``, or ``{"error": ...}`` for bad input of the whole run (a missing
    framework). The frameworks are loaded once for all the tasks."""
    with shared_oracles():
        for task in tasks:
            try:
                record = grade_student(Submission.from_dict(task["sub"]), cfg, Path(task["dir"]))
            except UsageError as exc:
                yield {"error": exc.worded(flag)}
            else:
                yield {"record": record}


def serve() -> None:  # pragma: no cover - runs in a grading process
    """A grading process: the first line holds the configuration (pickled); then one
    student per line, one record per line back, until stdin closes."""
    from crosscheck.options import flag
    from crosscheck.subject import worker

    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything else that writes to stdout goes to the log, not to the protocol
    sys.stdout = sys.stderr
    init = json.loads(sys.stdin.readline())
    worker._die_with_parent(init["parent"])
    worker._WORKER_PATH = init["worker_path"]  # the students' code imports its neighbours
    cfg = pickle.loads(base64.b64decode(init["config"]))
    for reply in replies((json.loads(line) for line in sys.stdin), cfg, flag):
        channel.write(json.dumps(reply) + "\n")
        channel.flush()
