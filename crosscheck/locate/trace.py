"""The line tracer: runs in the worker, records the arrays each line of the user's code binds.

:func:`trace_call` calls a function once under ``sys.settrace``. Only frames whose code comes
from the user's own files get a line tracer (:func:`user_file`: never the standard library,
site-packages, numpy, torch or crosscheck itself); in those, after each line has run, every
float array the frame can name is compared with what it was before the line, and a new or
changed one is recorded with the file, the line number and its source text. What a frame can
name: its locals, the items of local dicts, lists and tuples (``grads["W1"]``, ``zs[2]``), the
attributes of ``self`` (class-style code) and what a ``return`` hands back. An attribute of
``self`` already recorded and unchanged since is not recorded again each time a method is
entered (class-style code calls many small methods per sample). A comprehension's or a
generator's own frame is not followed: what it builds is recorded on the line that binds it,
and the user's functions it calls are traced as any other call.

The tracer runs Python after every line of the user's, so its cost is per line: each line
looks only at the names it mentions, a recorded value is a read-only view of the bytes it was
compared by (no second copy), and a ``Record`` is a named tuple (cheap to make, here and again
in the parent, crosscheck/subject/worker.py, which rebuilds them from the worker's reply).

Memory is bounded: at most ``MAX_ARRAYS`` arrays of at most ``MAX_ELEMENTS`` elements each are
kept (a shrunk case has small arrays; a recording cut short says so in ``truncated``).
Nothing here prints or writes files.
"""

from __future__ import annotations

import linecache
import os
import re
import sys
import sysconfig
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["MAX_ARRAYS", "MAX_ELEMENTS", "Record", "Recording", "trace_call", "user_file"]

MAX_ARRAYS = 4000  # arrays kept per traced call
MAX_ELEMENTS = 1 << 16  # elements of one array kept (larger ones are not recorded)
_MAX_ITEMS = 64  # items of one dict or list looked into
# arrays one line binds under one name kept in full (a line in a loop: the first ones); after
# them only the last is kept, in its place in time (an accumulator's final value)
PER_LINE = 8


class Record(NamedTuple):
    """One array a line bound: where (file, line, source text), under what name, its value
    (read-only). A named tuple: a traced call makes hundreds, in the worker and again in the
    parent."""

    file: str
    line: int
    source: str
    name: str
    value: np.ndarray
    given: bool = False  # an argument as the function got it (recorded at its def line)
    ident: int = 0  # which array object it was (the same object bound again keeps its ident)
    frame: int = 0  # which call of a function of the user's it was bound in
    # the user's calls it was made under, outermost first: (call number, the line it was on)
    callers: tuple = ()


@dataclass
class Recording:
    records: list
    truncated: bool = False


def _excluded_roots() -> tuple[str, ...]:
    roots = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(os.path.realpath(path))
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix):
        roots.add(os.path.realpath(os.path.join(prefix, "lib")))
    import crosscheck
    import crosscheck.oracles
    import crosscheck.reference
    import crosscheck.reports

    for module in (crosscheck, crosscheck.reference, crosscheck.oracles, crosscheck.reports):
        roots.add(os.path.realpath(os.path.dirname(module.__file__)))
    return tuple(sorted(roots))


_ROOTS: tuple[str, ...] | None = None
_USER: dict[str, bool] = {}


def user_file(filename: str) -> bool:
    """True for a file of the user's own code: a real file outside the standard library,
    site-packages and crosscheck's folders."""
    global _ROOTS
    known = _USER.get(filename)
    if known is not None:
        return known
    if _ROOTS is None:
        _ROOTS = _excluded_roots()
    if not filename or filename.startswith("<"):
        ok = False
    else:
        real = os.path.realpath(filename)
        ok = os.path.isfile(real) and not any(real == r or real.startswith(r + os.sep)
                                              for r in _ROOTS)
    _USER[filename] = ok
    return ok


_SCALARS = (float, np.floating)
_SEQUENCES = (list, tuple)


def _floats(value) -> bool:
    """A float array, or a float scalar (a loss, a sum: Python's or numpy's)."""
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "f" and 0 < value.size <= MAX_ELEMENTS
    return isinstance(value, _SCALARS)


def _take(out: list, name: str, value, depth: int) -> None:
    """(name, value) into ``out`` for a float array or scalar; the items of a dict, list or
    tuple ``depth`` levels down (``grads["W1"]``, ``zs[2]``)."""
    if _floats(value):
        out.append((name, value))
    elif depth and isinstance(value, dict):
        for i, (k, v) in enumerate(value.items()):
            if i >= _MAX_ITEMS:
                break
            _take(out, f"{name}[{k!r}]", v, depth - 1)
    elif depth and isinstance(value, _SEQUENCES):
        for i, v in enumerate(value[:_MAX_ITEMS]):
            _take(out, f"{name}[{i}]", v, depth - 1)


def _named(frame, returned=None, words=None):
    """(name, array) for every float array the frame can name; with ``words`` (the
    identifiers on the line that just ran) only those it can have bound or changed: named
    on the line (``self.k`` by ``k``), or the same object as a local named there (an alias)."""
    out: list = []
    local = frame.f_locals
    if words is None:
        items, aliases = list(local.items()), None
    else:  # this runs after every line of the user's: the names on the line first
        items = [(k, v) for k, v in local.items() if k in words]
        aliases = {id(v) for _, v in items if isinstance(v, np.ndarray)}
        if aliases:
            items += [(k, v) for k, v in local.items() if k not in words and id(v) in aliases]
        if "self" in local and "self" not in words:
            items.append(("self", local["self"]))
    for name, value in items:
        if name == "self":
            attrs = getattr(value, "__dict__", None)
            if isinstance(attrs, dict):
                for k, v in list(attrs.items()):
                    if aliases is None or k in words or id(v) in aliases:
                        _take(out, f"self.{k}", v, 1)
        else:
            _take(out, name, value, 1)
    if returned is not None:  # (loss, grads) holds the gradients one level further down
        _take(out, "return", returned, 2)
    return out


_COMPREHENSIONS = frozenset({"<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LINES: dict[tuple[str, int], tuple[str, frozenset]] = {}


def _line(filename: str, line: int) -> tuple[str, frozenset]:
    """A line of source (its first physical line) and the identifiers on it."""
    key = (filename, line)
    found = _LINES.get(key)
    if found is None:
        text = linecache.getline(filename, line)
        found = _LINES[key] = (text.strip(), frozenset(_WORD.findall(text)))
    return found


def trace_call(call, *args, max_arrays: int = MAX_ARRAYS):
    """``(result or None, exception or None, Recording)`` of ``call(*args)`` run once under the
    line tracer."""
    records: list[tuple] = []  # (seq, Record)
    seen: dict[int, dict] = {}  # id(frame) -> name -> (array, its bytes, its shape)
    kept: dict[int, tuple] = {}  # id(array) -> (the array, its bytes) when last recorded
    current: dict[int, int] = {}  # id(frame) -> the line about to run
    state = {"truncated": False}
    alive: list = []  # the recorded objects, kept alive so that their ids stay theirs
    frames: dict[int, int] = {}  # id(frame) -> the number of the call (ids are reused)
    calls = [0]
    stack: list = []  # the user frames running, outermost first
    count: dict[tuple, int] = {}  # (file, line, name) -> arrays it bound
    last: dict[tuple, tuple] = {}  # (file, line, name) -> (seq, the last beyond PER_LINE)
    seq = [0]

    def snapshot(frame, line, returned=None, given=False):
        try:
            record(frame, line, returned, given)
        except Exception:  # noqa: BLE001 - an object whose attributes raise: not recorded
            pass

    def record(frame, line, returned, given):
        key = id(frame)
        before = seen.setdefault(key, {})
        filename = frame.f_code.co_filename
        source, words = _line(filename, line)
        # only what the line that ran can have bound or changed is looked at (a line binds
        # or changes in place only what it names, or an alias of it), a return line's too,
        # beside what it hands back: naive loops run many lines over many arrays
        callers = None
        for name, value in _named(frame, returned, None if given else words):
            old = before.get(name)
            is_array = isinstance(value, np.ndarray)
            array = value if is_array else np.asarray(value, np.float64)
            raw = array.tobytes()  # bytes compare faster than arrays (and NaN equals NaN)
            if old is not None and old[0] is value and old[1] == raw \
                    and old[2] == array.shape:
                continue
            before[name] = (value, raw, array.shape)
            if is_array:
                held = kept.get(id(value))
                if given and held is not None and held[0] is value and held[1] == raw \
                        and name.startswith("self."):
                    continue  # an attribute of self each method is called with, unchanged
                kept[id(value)] = (value, raw)
            where = (filename, line, name)
            n = count[where] = count.get(where, 0) + 1
            if n <= PER_LINE and len(records) + len(last) >= max_arrays:
                state["truncated"] = True
                continue
            # the value as it was after the line, read-only: a view of its bytes (a copy)
            copy = np.frombuffer(raw if array.dtype == np.float64
                                 else array.astype(np.float64).tobytes(),
                                 dtype=np.float64).reshape(array.shape)
            alive.append(value)
            if callers is None:
                callers = tuple((frames[id(f)], current.get(id(f)) or f.f_lineno)
                                for f in stack if f is not frame)
            seq[0] += 1
            rec = (seq[0], Record(filename, line, source, name, copy, given, id(value),
                                  frames[key], callers))
            if n <= PER_LINE:
                records.append(rec)
            else:
                last[where] = rec

    def local(frame, event, arg):
        if event == "line" or event == "return":
            line = current.get(id(frame))
            if line is not None:
                snapshot(frame, line, arg if event == "return" else None)
            if event == "line":
                current[id(frame)] = frame.f_lineno
            else:
                current.pop(id(frame), None)
                seen.pop(id(frame), None)
                if stack and stack[-1] is frame:
                    stack.pop()
        return local

    def start(frame, event, arg):
        # a comprehension's own frame is not followed: what it builds is recorded on the line
        # that binds it (the user functions it calls are still traced)
        if event == "call" and frame.f_code.co_name not in _COMPREHENSIONS \
                and user_file(frame.f_code.co_filename):
            current[id(frame)] = None
            calls[0] += 1
            frames[id(frame)] = calls[0]
            stack.append(frame)
            snapshot(frame, frame.f_lineno, given=True)  # the arguments, as the function got them
            return local
        return None

    old = sys.gettrace()
    sys.settrace(start)
    try:
        result, error = call(*args), None
    except BaseException as exc:  # noqa: BLE001 - the subject's own failure is data here
        result, error = None, exc
    finally:
        sys.settrace(old)
    kept = [rec for _, rec in sorted(records + list(last.values()), key=lambda t: t[0])]
    return result, error, Recording(kept, state["truncated"])
