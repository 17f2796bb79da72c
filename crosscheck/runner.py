"""The one runner behind ``verify`` (MLP and CNN networks) and ``verify_layer``: where the
user's code runs, the worker's lifetime, the limits checked before any work, and writing the
reports.

- :func:`run_isolated`: the code runs in a worker process when it can be imported again by
  name (:func:`isolation_target`); otherwise, or when the worker cannot import it, in this
  process, and the result says why.
- :func:`worker_session`: a :class:`~crosscheck.subject.worker.SubjectWorker` started,
  loaded, and closed however the check ends.
- :func:`prepare_report_dir` before any work, :func:`write_report_files` after it: all files
  or none, and the result they render is left as it was.

It sits below the faces that use it (crosscheck/api.py, crosscheck/layers/verify.py, the CLI)
and above the engine; it renders nothing itself.
"""

from __future__ import annotations

import inspect
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from crosscheck.errors import UsageError, option
from crosscheck.oracles.base import ORACLE_NAMES, OracleUnavailable, get_oracle
from crosscheck.subject.worker import LoadError, SubjectWorker

__all__ = ["NESTED", "TIMEOUT_RANGE", "absolute_target", "check_timeout",
           "isolation_target", "load_oracles", "prepare_report_dir", "run_isolated",
           "shared_oracles", "worker_session", "write_report_files"]

TIMEOUT_RANGE = (0.01, 86400.0)  # seconds per call: from 10 ms to one day

# what the worker raises when the module it imports calls crosscheck.verify() at import
NESTED = "crosscheck.verify() was called while crosscheck's worker imported"
_NESTED_WHY = ("its module calls crosscheck.verify() when imported (no `if __name__ == "
               "\"__main__\":` guard), so the worker cannot import it")


# while shared_oracles() lasts: name -> the one oracle object every check reuses
_SHARED: dict | None = None


@contextmanager
def shared_oracles() -> Iterator[None]:
    """While it lasts, :func:`load_oracles` hands every check the same oracle objects (a
    grading process checks one student after another: TensorFlow's traces and the frameworks'
    warm-up are paid once, not once per student)."""
    global _SHARED
    saved, _SHARED = _SHARED, {}
    try:
        yield
    finally:
        _SHARED = saved


def load_oracles(names: Sequence[str]) -> list:
    """The oracle objects for ``names``; a missing framework is a :class:`UsageError`."""
    unknown = [n for n in names if n not in ORACLE_NAMES]
    if unknown or not names:
        raise UsageError(f"unknown oracle {', '.join(map(repr, unknown)) or '(none given)'}; "
                         f"known: {', '.join(ORACLE_NAMES)}")
    try:
        if _SHARED is None:
            return [get_oracle(n) for n in names]
        for n in names:
            if n not in _SHARED:
                _SHARED[n] = get_oracle(n)
        return [_SHARED[n] for n in names]
    except OracleUnavailable as exc:
        raise UsageError(str(exc)) from None


def check_timeout(value, *, required: bool = False) -> float | None:
    """``value`` as seconds per call, within :data:`TIMEOUT_RANGE`; None is no limit unless
    ``required`` (the command line always has one)."""
    low, high = TIMEOUT_RANGE
    if value is None and not required:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if isinstance(value, bool) or not (low <= seconds <= high):
        raise UsageError(f"{option('timeout')} wants seconds from {low:g} to {high:g} "
                         f"(one day), got {value!r}")
    return seconds


def prepare_report_dir(path, *, name: str = "report") -> Path | None:
    """Check a report directory before any work: created if needed, writable, and no report
    file name taken by a directory. A :class:`UsageError` (one line) otherwise."""
    if path is None:
        return None
    from crosscheck.reports.writers import REPORT_FILES

    d, flag = Path(path), option(name)
    if d.exists() and not d.is_dir():
        raise UsageError(f"{flag} {path}: exists and is not a directory")
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".crosscheck-probe-", dir=d)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write there ({exc.strerror or exc})") from None
    for name_ in REPORT_FILES:
        if (d / name_).is_dir():
            raise UsageError(f"{flag} {path}: {name_} there is a directory, so the report cannot "
                             f"be written")
    return d


def write_report_files(directory, write: Callable[[Path], list[Path]]) -> list[Path]:
    """``write(directory)`` (a renderer's all-or-nothing writer) into ``directory``, created if
    needed; a directory where a file goes or a full disk is a one-line :class:`UsageError`
    with nothing written. Returns the paths written."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"report directory {directory}: cannot create it ({exc.strerror})") from None
    try:
        return write(directory)
    except OSError as exc:  # a directory where a script goes, a full disk: nothing written
        raise UsageError(f"report directory {directory}: cannot write "
                         f"{Path(exc.filename or '').name or 'it'} ({exc.strerror})") from None


def isolation_target(fn) -> tuple[str | None, str]:
    """("file.py:qualname" the worker can import ``fn`` from, or "package.module:qualname"
    for a module inside a package, and ""), or (None, why it cannot be imported)."""
    if inspect.ismethod(fn) or not inspect.isfunction(fn):
        return None, f"a {type(fn).__name__} is not a plain function the worker can import"
    name = fn.__qualname__
    if "<" in name:
        what = "a lambda" if fn.__name__ == "<lambda>" else "a function defined inside another"
        return None, f"{what} cannot be imported by name"
    try:
        source = inspect.getsourcefile(fn)
    except TypeError:
        source = None
    if source is None or not Path(source).is_file():
        return None, "its module has no source file (a notebook cell or an interactive session?)"
    module = sys.modules.get(fn.__module__)
    spec = getattr(module, "__spec__", None)
    if "." in fn.__module__ and spec is not None and spec.name == fn.__module__:
        return f"{fn.__module__}:{name}", ""  # in a package: by name, so relative imports work
    return f"{Path(source).resolve()}:{name}", ""


def absolute_target(target: str | None) -> str | None:
    """``FILE.py:FUNC`` with FILE made absolute (a script may run from anywhere);
    ``module:FUNC`` as it is."""
    if target is None:
        return None
    where, _, name = target.rpartition(":")
    if where.endswith(".py") or "/" in where or "\\" in where:
        return f"{Path(where).resolve()}:{name}"
    return target


def run_isolated(functions: Sequence, run: Callable[..., object], *,
                 by_value: Callable[[str], object] | None = None):
    """``run(*targets, isolation_off="")`` with the worker importing every function again
    by name. When one of them cannot be imported (a lambda, a closure, a notebook cell) or
    the worker fails to import it: ``by_value(why)`` when given (the function sent to the
    worker by value, or a UsageError), else ``run(*functions, isolation_off=why)`` in this
    process."""
    targets = [isolation_target(f) for f in functions]
    why = next((w for t, w in targets if t is None), "")
    if not why:
        try:
            return run(*[t for t, _ in targets], isolation_off="")
        except LoadError as exc:  # it is loaded here, but the worker cannot import it again
            why = (_NESTED_WHY if NESTED in str(exc)
                   else f"the worker could not import it again ({exc})")
    if by_value is not None:
        return by_value(why)
    return run(*functions, isolation_off=why)


@contextmanager
def worker_session(target: str | None, **worker) -> Iterator[SubjectWorker | None]:
    """A worker for ``target`` (``FILE.py:FUNC``), started and loaded, closed when the block
    ends however it ends; None (run in this process) when ``target`` is None. ``worker``:
    :class:`SubjectWorker`'s keywords (timeout, memory_limit, layout, layer ...)."""
    if target is None:
        yield None
        return
    session = SubjectWorker(target, **worker).start()
    try:
        session.load()
        yield session
    finally:
        session.close()
