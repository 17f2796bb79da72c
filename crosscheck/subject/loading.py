"""Load the user's function from ``FILE.py:FUNC`` or ``package.module:FUNC``.

Anything wrong with the target (no such file or module, a syntax error, an exception while
importing, no such function, not callable) is a :class:`UsageError`: one line, exit 2.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from pathlib import Path

from crosscheck.errors import UsageError

__all__ = ["NotSendable", "function_payload", "load_function", "rebuild_function", "target_file",
           "target_label"]


def _split(target: str) -> tuple[str, str]:
    where, sep, name = target.rpartition(":")
    if not sep or not where or not name:
        raise UsageError(f"{target!r}: expected FILE.py:FUNC or package.module:FUNC")
    return where, name


def _is_file_target(where: str) -> bool:
    return where.endswith(".py") or "/" in where or "\\" in where


def _import_failure(where: str, exc: BaseException) -> UsageError:
    if isinstance(exc, SyntaxError):
        return UsageError(f"{exc.filename or where}, line {exc.lineno}: SyntaxError: {exc.msg}")
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith("<frozen")]
    at = f" (at {Path(frames[-1].filename).name}, line {frames[-1].lineno})" if frames else ""
    first = (str(exc).strip().splitlines() or [""])[0]
    return UsageError(f"importing {where} raised {type(exc).__name__}: {first}{at}")


def _load_file(where: str):
    path = Path(where)
    if not path.is_file():
        raise UsageError(f"{where}: no such file")
    name = f"crosscheck_subject_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{where}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    # The file's directory goes on sys.path while it runs, so it can import its neighbours.
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        del sys.modules[name]
        raise _import_failure(where, exc) from None
    finally:
        sys.path.remove(folder)
    return module


def _load_module(where: str):
    try:
        return importlib.import_module(where)
    except ModuleNotFoundError as exc:
        if exc.name and where.startswith(exc.name):
            raise UsageError(f"{where}: no such module (for a file, write path/to/file.py:FUNC)") from None
        raise _import_failure(where, exc) from None
    except (Exception, SystemExit) as exc:
        raise _import_failure(where, exc) from None


def target_file(target: str) -> Path | None:
    """The file of a ``FILE.py:FUNC`` target (None for ``module:FUNC``), without importing
    anything."""
    where, _ = _split(target)
    return Path(where) if _is_file_target(where) else None


def target_label(target: str) -> str:
    """How reports name ``FILE.py:FUNC`` (the file's name) or ``module:FUNC``, without
    importing anything."""
    where, name = _split(target)
    return f"{Path(where).name if _is_file_target(where) else where}:{name}"


def load_function(target: str):
    """``(function, label)`` for ``FILE.py:FUNC`` or ``package.module:FUNC``; FUNC may be
    dotted (``Class.method``)."""
    where, name = _split(target)
    module = _load_file(where) if _is_file_target(where) else _load_module(where)
    obj = module
    for part in name.split("."):
        if not hasattr(obj, part):
            defined = sorted(k for k, v in vars(module).items()
                             if callable(v) and not k.startswith("_")
                             and getattr(v, "__module__", None) == module.__name__)
            known = f" (it defines: {', '.join(defined)})" if defined else ""
            raise UsageError(f"{where} has no function {name!r}{known}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise UsageError(f"{where}:{name} is a {type(obj).__name__}, not a function")
    return obj, target_label(target)


# ---- a function sent by value -------------------------------------------------------------------
# A lambda, a closure or a function typed into a notebook cannot be imported again by name in
# the worker. It travels by value instead: its code object (marshal: the worker runs the same
# interpreter), its defaults, the contents of its closure cells, and the globals its code names,
# each as a module name, another function sent the same way, or a pickle. What cannot travel
# (a value that does not pickle, a cycle through globals) raises NotSendable with why.

class NotSendable(ValueError):
    """The function cannot be rebuilt in another process; the message says why."""


def _names(code) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _names(const)
    return names


def _importable(obj) -> bool:
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    spec = getattr(module, "__spec__", None)
    return (module is not None and obj.__module__ != "__main__" and spec is not None
            and spec.name == obj.__module__ and "<" not in getattr(obj, "__qualname__", "<"))


def _value(value, where: str, seen: set[int]):
    import pickle
    import types

    if isinstance(value, types.ModuleType):
        return ("module", value.__name__)
    if isinstance(value, types.FunctionType) and not _importable(value):
        return ("function", function_payload(value, seen))
    try:
        return ("pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception as exc:  # noqa: BLE001 - whatever pickling raises, it does not travel
        raise NotSendable(f"{where} ({type(value).__name__}) cannot be pickled "
                          f"({type(exc).__name__})") from None


def function_payload(fn, seen: set[int] | None = None) -> dict:
    """``fn`` as plain data :func:`rebuild_function` turns back into a function in another
    process of the same interpreter; :class:`NotSendable` when it cannot be."""
    import marshal
    import types

    if not isinstance(fn, types.FunctionType):
        raise NotSendable(f"a {type(fn).__name__} is not a plain function")
    seen = set() if seen is None else seen
    if id(fn) in seen:
        raise NotSendable(f"{fn.__qualname__} refers to itself through another function")
    seen = seen | {id(fn)}
    code = fn.__code__
    closure = []
    for name, cell in zip(code.co_freevars, fn.__closure__ or (), strict=True):
        try:
            contents = cell.cell_contents
        except ValueError:
            closure.append(("empty",))
            continue
        closure.append(("self",) if contents is fn else _value(contents, f"its variable {name!r}", seen))
    glob = {}
    for name in sorted(_names(code)):
        if name in fn.__globals__:
            value = fn.__globals__[name]
            glob[name] = ("self",) if value is fn else _value(value, f"its global {name!r}", seen)
    return {"code": marshal.dumps(code), "name": fn.__name__, "qualname": fn.__qualname__,
            "module": fn.__module__, "defaults": _value(fn.__defaults__, "its defaults", seen),
            "kwdefaults": _value(fn.__kwdefaults__, "its defaults", seen),
            "closure": closure, "globals": glob}


def rebuild_function(payload: dict):  # pragma: no cover - runs in the worker
    """The function :func:`function_payload` described (in the worker)."""
    import builtins
    import marshal
    import pickle
    import types

    code = marshal.loads(payload["code"])
    namespace = {"__builtins__": builtins, "__name__": payload["module"]}
    cells = [types.CellType() for _ in payload["closure"]]
    fn = types.FunctionType(code, namespace, payload["name"], None, tuple(cells) or None)

    def value(spec):
        kind = spec[0]
        if kind == "self":
            return fn
        if kind == "module":
            return importlib.import_module(spec[1])
        if kind == "function":
            return rebuild_function(spec[1])
        return pickle.loads(spec[1])

    for name, spec in payload["globals"].items():
        namespace[name] = value(spec)
    for cell, spec in zip(cells, payload["closure"], strict=True):
        if spec[0] != "empty":
            cell.cell_contents = value(spec)
    fn.__defaults__ = value(payload["defaults"])
    fn.__kwdefaults__ = value(payload["kwdefaults"])
    fn.__qualname__ = payload["qualname"]
    return fn
