"""``--watch``: check again each time the user saves, and say what changed.

The frameworks stay imported in this process between checks (a re-check pays neither
PyTorch's nor TensorFlow's start-up); the user's code gets a fresh worker process every time
(the check itself makes one), so a fix is seen as the file now reads. What is watched: every
``.py`` file in the folders of the user's files (a helper module beside the function counts).
A save is noticed by polling size and modification time; a burst of writes (an editor saving
in pieces) is one change.

After each re-check the verdict is followed by one line saying what changed since the last
one: which tensors were fixed, which still fail, which newly fail. Ctrl-C ends the watch with
the exit code of the last verdict (0 pass, 1 fail). Bad input found by the first check ends
the command (exit 2, as without ``--watch``); found by a later one (a half-written file that
cannot be imported), it is printed and the watch waits for the next save.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from crosscheck.errors import UsageError
from crosscheck.options import flag
from crosscheck.subject.loading import target_file

__all__ = ["changes", "failing", "snapshot", "watch", "watched_files", "watched_targets"]

POLL_SECONDS = 0.2  # how often the files are looked at
SETTLE_SECONDS = 0.15  # a change counts once the files have stayed the same this long


def watched_files(paths: list[Path]) -> list[Path]:
    """The ``.py`` files in the folders of ``paths`` (the user's files), sorted."""
    folders = sorted({p.resolve().parent for p in paths})
    return sorted({f for d in folders for f in d.glob("*.py")} | {p.resolve() for p in paths})


def watched_targets(targets: list[str | None]) -> list[Path]:
    """The files of the user's targets (``FILE.py:FUNC``; None entries are left out); a
    :class:`UsageError` for a ``module:FUNC`` target, whose file is not known without
    importing it."""
    files = []
    for t in targets:
        if t is None:
            continue
        f = target_file(t)
        if f is None:
            raise UsageError(f"{flag('watch')} wants FILE.py:FUNC targets (a file to watch), "
                             f"got {t!r}")
        files.append(f)
    return files


def snapshot(files: list[Path]) -> dict[str, tuple[int, int]]:
    """Size and modification time of each file that exists (a deleted file drops out)."""
    seen = {}
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        seen[str(f)] = (st.st_size, st.st_mtime_ns)
    return seen


def failing(result) -> dict[str, int]:
    """What failed in a verify or verify-layer result, as ``name -> networks (cases)``: the
    tensors whose vote failed, and ``"an error"`` for a network where the code produced
    nothing to compare."""
    counts: dict[str, int] = {}
    for c in result.cases:
        names = set()
        if c.error:
            names.add("an error")
        if hasattr(c, "failing_votes"):
            names |= {v.tensor for v in c.failing_votes()}
        else:  # a layer case: (part, tensor, message) findings
            names |= {tensor for _, tensor, _ in getattr(c, "findings", ())}
        for n in names:
            counts[n] = counts.get(n, 0) + 1
    return counts


def _names(names) -> str:
    return ", ".join(sorted(names))


def changes(before: tuple[bool, dict[str, int]], after: tuple[bool, dict[str, int]]) -> str:
    """One line: what changed between two checks, each ``(passed, failing(result))``."""
    (passed0, fail0), (passed1, fail1) = before, after
    verdict = lambda p: "PASS" if p else "FAIL"  # noqa: E731
    fixed, new, still = set(fail0) - set(fail1), set(fail1) - set(fail0), set(fail0) & set(fail1)
    if passed0 == passed1 and not fixed and not new:
        failing_now = f": {_names(still)}" if still else ""
        return f"since the last check: no change (still {verdict(passed1)}{failing_now})"
    parts = []
    if passed0 != passed1:
        parts.append(f"{verdict(passed0)} -> {verdict(passed1)}")
    if fixed:
        parts.append(f"fixed: {_names(fixed)}")
    if new:
        parts.append(f"newly failing: {_names(new)}")
    if still:
        parts.append(f"still failing: {_names(still)}")
    return "since the last check: " + "; ".join(parts)


def _wait_for_save(files: list[Path], seen: dict) -> tuple[dict, list[str]]:
    """Block until a watched file changes and settles; the new snapshot and the files that
    changed."""
    while True:
        time.sleep(POLL_SECONDS)
        now = snapshot(files)
        if now == seen:
            continue
        while True:  # let a burst of writes finish
            time.sleep(SETTLE_SECONDS)
            later = snapshot(files)
            if later == now:
                break
            now = later
        changed = sorted(Path(f).name for f in set(now) | set(seen) if now.get(f) != seen.get(f))
        return now, changed


def watch(check: Callable[[], object], paths: list[Path], *, out=None) -> int:
    """Run ``check()`` (a verify or verify-layer result, printed as it prints), then again on
    every save of the watched files, until Ctrl-C; the exit code of the last verdict."""
    out = out or sys.stdout
    files = watched_files(paths)
    seen = snapshot(files)
    result = check()  # bad input here is exit 2, as without --watch
    print(result, file=out)
    last = (result.passed, failing(result))
    code = 0 if result.passed else 1
    n = 1
    try:
        while True:
            print(f"watching {len(files)} file(s) in {_names({str(f.parent) for f in files})} "
                  f"for changes (Ctrl-C to stop)", file=sys.stderr, flush=True)
            seen, changed = _wait_for_save(files, seen)
            n += 1
            print(f"\n-- check {n}: {', '.join(changed)} changed", file=out, flush=True)
            try:
                result = check()
            except UsageError as exc:  # the file as saved cannot be checked yet
                print(f"crosscheck: error: {exc.worded(flag)}; waiting for the next save", file=out,
                      flush=True)
                continue
            print(result, file=out)
            now = (result.passed, failing(result))
            print(changes(last, now), file=out, flush=True)
            last, code = now, 0 if result.passed else 1
    except KeyboardInterrupt:
        print(f"crosscheck: stopped watching after {n} check(s)", file=sys.stderr)
        return code
