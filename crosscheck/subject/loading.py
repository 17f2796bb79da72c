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

__all__ = ["load_function", "target_label"]


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
