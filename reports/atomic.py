"""Write files whole or not at all: a temp file in the same directory, then os.replace."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["stale_scripts", "write_atomic", "write_files_atomic"]


def write_atomic(path: str | os.PathLike, data: str | bytes) -> Path:
    path = Path(path)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def write_files_atomic(directory: str | os.PathLike, files: dict[str, str | bytes],
                       remove: tuple[str, ...] = ()) -> list[Path]:
    """Write several files into ``directory``: every file goes to a temp file first, and only
    when all of them are written are they renamed into place (nothing half-written is left).
    The names in ``remove`` (files of an earlier run that this one does not replace) are
    deleted in the same step, right after the renames."""
    directory = Path(directory)
    for name in files:  # before anything is written: a directory in the way fails nothing
        if (directory / name).is_dir():
            raise IsADirectoryError(21, "a directory is in the way", str(directory / name))
    temps: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            temps.append((tmp, directory / name))
            mode = "wb" if isinstance(data, bytes) else "w"
            with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
                f.write(data)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are for reading
        for tmp, final in temps:
            os.replace(tmp, final)
        for name in remove:
            if name not in files:
                (directory / name).unlink(missing_ok=True)
    except BaseException:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
    return [final for _, final in temps]


def stale_scripts(directory: str | os.PathLike) -> tuple[str, ...]:
    """The reproduction scripts an earlier run wrote into ``directory``: ``repro_*.py`` files
    that open as crosscheck's scripts do. A user's own file of that name is not one."""
    found = []
    for path in Path(directory).glob("repro_*.py"):
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                head = f.read(200)
        except OSError:
            continue
        if path.is_file() and head.startswith('#!/usr/bin/env python3\n"""Reproduce crosscheck '):
            found.append(path.name)
    return tuple(sorted(found))

