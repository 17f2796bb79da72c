"""The submissions of a class: a folder of ``.py`` files, or of one folder per student.

A student's name is the file's stem or the folder's name. Nothing here imports or runs a
student's code: a folder's file is found by reading its text (:func:`find_file`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from crosscheck.errors import UsageError

__all__ = ["Submission", "discover", "parse_shard", "shard"]


@dataclass(frozen=True)
class Submission:
    """One student: ``name``, the ``path`` graded (a ``.py`` file, or None when their folder
    holds none that can be graded) and ``problem``: why it cannot be graded, or ""."""

    name: str
    path: str | None
    problem: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "path": self.path, "problem": self.problem}

    @classmethod
    def from_dict(cls, d: dict) -> Submission:
        return cls(d["name"], d["path"], d.get("problem", ""))


def discover(folder, functions: tuple[str, ...], *, file: str | None = None) -> list[Submission]:
    """Every submission in ``folder``, sorted by name: each ``*.py`` file is a student, and each
    sub-folder is one (its file ``file``, or the one ``.py`` file in it that defines every one
    of ``functions``). Bad input for the whole run is a :class:`UsageError`: a folder that is
    missing, holds no submission, or two submissions with one name (``alice.py`` and
    ``alice/``, or names that differ only in case)."""
    root = Path(folder)
    if not root.exists():
        raise UsageError(f"SUBMISSIONS {folder}: no such folder")
    if not root.is_dir():
        raise UsageError(f"SUBMISSIONS {folder}: not a folder")
    found: list[Submission] = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.startswith((".", "__")):
            continue  # hidden files, __pycache__, __init__.py
        if entry.is_file() and entry.suffix == ".py":
            found.append(Submission(entry.stem, str(entry)))
        elif entry.is_dir():
            found.append(_folder_submission(entry, functions, file))
    if not found:
        raise UsageError(f"SUBMISSIONS {folder}: no submissions (no .py file and no folder "
                         f"per student)")
    seen: dict[str, str] = {}
    for s in found:
        key = s.name.casefold()
        if key in seen:
            raise UsageError(f"SUBMISSIONS {folder}: two submissions are named {s.name!r} "
                             f"({seen[key]} and {s.path or s.name}): rename one")
        seen[key] = s.path or s.name
    return sorted(found, key=lambda s: s.name)


def _folder_submission(folder: Path, functions: tuple[str, ...], file: str | None) -> Submission:
    if file is not None:
        path = folder / file
        if not path.is_file():
            return Submission(folder.name, None, f"no {file} in the folder {folder.name}/")
        return Submission(folder.name, str(path))
    files = sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
    if not files:
        return Submission(folder.name, None, f"no .py file in the folder {folder.name}/")
    if len(files) == 1:
        return Submission(folder.name, str(files[0]))
    defining = [p for p in files if set(functions) <= _defined(p)]
    if len(defining) == 1:
        return Submission(folder.name, str(defining[0]))
    names = ", ".join(functions)
    return Submission(folder.name, None,
                      f"{len(defining) or 'none'} of the {len(files)} .py files in the folder "
                      f"{folder.name}/ define {names} (choose one with --file NAME)")


def _defined(path: Path) -> set[str]:
    """The top-level function and class names of ``path`` (read, never run); none when it
    does not parse."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, ValueError, OSError):
        return set()
    return {n.name for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)} | {
        t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
        if isinstance(t, ast.Name)}


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``I/N`` (1 <= I <= N) as (I, N); None for None."""
    if text is None:
        return None
    index, _, total = text.partition("/")
    try:
        i, n = int(index), int(total)
    except ValueError:
        i = n = 0
    if not (1 <= i <= n):
        raise UsageError(f"--shard wants I/N with 1 <= I <= N, e.g. 1/4; got {text!r}")
    return i, n


def shard(submissions: list[Submission], which: tuple[int, int] | None) -> list[Submission]:
    """Shard I of N: the submissions at positions I-1, I-1+N, ... of the sorted list. The
    same folder gives every shard the same students, wherever it runs; N shards together hold
    every student once."""
    if which is None:
        return list(submissions)
    i, n = which
    return [s for k, s in enumerate(submissions) if k % n == i - 1]
