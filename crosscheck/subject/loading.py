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
# each as a module name, another function sent the same way, a class defined where it cannot be
# imported (a notebook cell: its bases and its attributes, methods sent the same way), or a
# pickle. A notebook cell's source (registered in linecache under a name like
# "<ipython-input-3-...>") travels too, so that a traceback in the worker shows its lines.
# What cannot travel (a value that does not pickle, a cycle through functions) raises
# NotSendable with why.

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
    if isinstance(value, type) and not _importable(value):
        # a class being sent already (a method naming its own class, super()): a reference,
        # filled once the worker has made the class
        return ("ref", id(value)) if id(value) in seen else ("class", _class_payload(value, seen))
    if isinstance(value, staticmethod | classmethod):
        return (type(value).__name__, _value(value.__func__, where, seen))
    if isinstance(value, property):
        return ("property", *(_value(f, where, seen) for f in (value.fget, value.fset, value.fdel)),
                value.__doc__)
    try:
        return ("pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception as exc:  # noqa: BLE001 - whatever pickling raises, it does not travel
        raise NotSendable(f"{where} ({type(value).__name__}) cannot be pickled "
                          f"({type(exc).__name__})") from None


def _class_payload(cls: type, seen: set[int]) -> dict:
    """A class that cannot be imported by name (defined in a notebook cell): its metaclass,
    bases and attributes, each sent as :func:`_value` sends a value."""
    seen = seen | {id(cls)}
    attrs = {k: _value(v, f"{cls.__qualname__}.{k}", seen) for k, v in vars(cls).items()
             if k not in ("__dict__", "__weakref__")}
    return {"key": id(cls), "name": cls.__name__, "qualname": cls.__qualname__,
            "meta": _value(type(cls), f"the metaclass of {cls.__qualname__}", seen),
            "bases": [_value(b, f"a base of {cls.__qualname__}", seen) for b in cls.__bases__],
            "attrs": attrs}


def _cell_source(code) -> tuple[str, list[str]] | None:
    """(file name, lines) of a notebook cell's source that linecache holds, or None."""
    import linecache

    name = code.co_filename
    if not (name.startswith("<") and name.endswith(">")):
        return None
    lines = linecache.getlines(name)
    return (name, lines) if lines else None


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
            "closure": closure, "globals": glob, "source": _cell_source(code)}


def _rebuilt(spec, made: dict, later: list, fn=None):  # pragma: no cover - in the worker
    """The value ``spec`` (:func:`_value`) describes; a reference to a class not made yet is
    None, and :func:`_later` fills it in."""
    import pickle

    kind = spec[0]
    if kind == "self":
        return fn
    if kind == "module":
        return importlib.import_module(spec[1])
    if kind == "function":
        return _rebuild_function(spec[1], made, later)
    if kind == "class":
        return _rebuild_class(spec[1], made, later)
    if kind == "ref":
        return made.get(spec[1])
    if kind in ("staticmethod", "classmethod"):
        return {"staticmethod": staticmethod, "classmethod": classmethod}[kind](
            _rebuilt(spec[1], made, later))
    if kind == "property":
        return property(*(_rebuilt(s, made, later) for s in spec[1:4]), spec[4])
    return pickle.loads(spec[1])


def _later(spec, made: dict, later: list, setter) -> None:  # pragma: no cover - in the worker
    """``setter(value)`` now, or once the class ``spec`` refers to is made."""
    if spec[0] == "ref" and spec[1] not in made:
        later.append((spec[1], setter))
    else:
        setter(_rebuilt(spec, made, later))


def _rebuild_class(payload: dict, made: dict, later: list):  # pragma: no cover - in the worker
    meta = _rebuilt(payload["meta"], made, later)
    bases = tuple(_rebuilt(b, made, later) for b in payload["bases"])
    attrs = {k: _rebuilt(v, made, later) for k, v in payload["attrs"].items()}
    cls = meta(payload["name"], bases, attrs)
    cls.__qualname__ = payload["qualname"]
    made[payload["key"]] = cls
    for _, setter in [item for item in later if item[0] == payload["key"]]:
        setter(cls)
    later[:] = [item for item in later if item[0] != payload["key"]]
    return cls


def _rebuild_function(payload: dict, made: dict, later: list):  # pragma: no cover - worker
    import builtins
    import linecache
    import marshal
    import types

    if payload.get("source"):  # a notebook cell's lines, for the tracebacks
        name, lines = payload["source"]
        linecache.cache[name] = (sum(map(len, lines)), None, list(lines), name)
    code = marshal.loads(payload["code"])
    namespace = {"__builtins__": builtins, "__name__": payload["module"]}
    cells = [types.CellType() for _ in payload["closure"]]
    fn = types.FunctionType(code, namespace, payload["name"], None, tuple(cells) or None)
    for name, spec in payload["globals"].items():
        if spec[0] == "self":
            namespace[name] = fn
        else:
            _later(spec, made, later, lambda v, name=name: namespace.__setitem__(name, v))
    for cell, spec in zip(cells, payload["closure"], strict=True):
        if spec[0] == "self":
            cell.cell_contents = fn
        elif spec[0] != "empty":
            _later(spec, made, later, lambda v, cell=cell: setattr(cell, "cell_contents", v))
    fn.__defaults__ = _rebuilt(payload["defaults"], made, later)
    fn.__kwdefaults__ = _rebuilt(payload["kwdefaults"], made, later)
    fn.__qualname__ = payload["qualname"]
    return fn


def rebuild_function(payload: dict):  # pragma: no cover - runs in the worker
    """The function :func:`function_payload` described (in the worker)."""
    return _rebuild_function(payload, {}, [])
