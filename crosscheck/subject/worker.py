"""The worker: the user's code runs in a process of its own, never in the tool's.

The parent (the CLI or :func:`crosscheck.verify`) holds the oracles, the comparison and the
reports; a :class:`SubjectWorker` holds one child process that imports the user's module and
makes every call of the user's function. What crosses between them is plain data: the
network (spec, parameters, X, Y) goes in pickled, so the function gets copies and never sees
the tool's arrays; what comes back is a float loss and the raw float64 bytes of each gradient,
already checked in the worker by the engine's own ``run_subject`` (and checked again in the
parent), with the arrays the function was given as they were after the call (the parent, not
the worker, decides whether they changed: code in the worker can replace the worker's own
checks), or the words of a :class:`~crosscheck.engine.check.SubjectError`. The parent reads
replies with an unpickler that accepts no class at all (:func:`_plain_loads`): nothing the
worker sends can make the parent import or run anything.

Why a plain ``subprocess.Popen`` of a fresh interpreter, and not ``multiprocessing``:

- ``fork`` (and a ``ProcessPoolExecutor`` on it) copies a parent that already runs torch and
  TensorFlow threads: forking a threaded process is unsafe, and the child would hold the
  oracles the user's code must not reach.
- ``spawn`` and ``forkserver`` re-import the parent's ``__main__`` in the child. A learner's
  script that calls ``crosscheck.verify`` at top level, unguarded, would run again in the
  worker and start workers of its own.
- ``Popen`` gives what the limits need and nothing else: the child in a session of its own
  (Ctrl-C at the terminal reaches only the parent, and one ``killpg`` ends the child with
  every thread and process it started), stdout and stderr redirected at the file-descriptor
  level to a capture file (C-level writes and ``os._exit`` included), and a private socket
  for the protocol (``multiprocessing.connection``'s length-prefixed pickles), which the
  user's prints cannot corrupt.

Limits, enforced from outside the user's code:

- time: every call and every import gets ``timeout`` seconds of wall clock, measured by the
  parent, which kills the whole process group when it is over (a signal handler, a swallowed
  exception or a long C call changes nothing). Just before that it sends SIGUSR1, on which
  the worker's ``faulthandler`` dumps every thread's stack (from C, even while the main
  thread is inside a C call), so the verdict still names the user's line. The next network gets
  a fresh worker (startup and import paid again, import under the same limit).
- memory: ``RLIMIT_AS`` (soft and hard) set in the worker before the user's module is
  imported, by default half the machine's memory (``--memory-limit``). An allocation past it
  raises ``MemoryError`` in the user's code or kills the worker; both are verdicts.
- output: the capture file is read after every call and shown, truncated, under that
  network's verdict; ``RLIMIT_FSIZE`` caps what the function can write (``OUTPUT_LIMIT``).
- life: the worker dies with its parent (``PR_SET_PDEATHSIG`` on Linux) and is killed, not
  asked, at the end of the campaign, so threads the function left behind die with it; the
  processes it started, detached or not, are killed when it ends (``_end_escapees``).
- replies: every read of a reply, header and body, ends by the call's deadline, and a frame
  above the request's cap (``REPLY_FACTOR``, ``REPLY_SLACK``) is refused unread: user code
  that writes half a frame on the socket, or claims a terabyte, gets a verdict, not a hang.
- checks: the input-mutation check is made in the parent, on its own copies, from the arrays
  the worker sends back (code in the worker can replace anything in the worker).

A worker that exits (any status, ``os._exit(0)`` included) or is killed by a signal during a
call is a verdict for that network in words (``ended the process with status 0``); so is a
KeyboardInterrupt the function raises. Ctrl-C at the terminal interrupts the parent only.
At import: an exception, a syntax error or a missing function is bad input (a
:class:`~crosscheck.errors.UsageError`, exit 2); an import that ends the process or does not
finish within the timeout is a verdict (exit 1) for every network, each reported without
trying the import again.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import json
import linecache
import math
import os
import pickle
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import weakref
from multiprocessing.connection import Connection

import numpy as np

from crosscheck.engine.check import UNCOMPARED, SubjectError, check_unchanged, user_frames
from crosscheck.errors import UsageError
from crosscheck.oracles.fd import THREAD_VARIABLES

__all__ = ["OUTPUT_LIMIT", "PROCESS_KINDS", "LoadError", "SubjectWorker", "default_memory_limit",
           "format_bytes", "in_worker", "parse_memory_limit", "sealed_parent_path"]

# SubjectError kinds that end (or were ended by) the worker: the network is not re-run to
# diagnose or shrink it, each re-run would cost the timeout or a restart again; nor is a
# network no oracle answered on (UNCOMPARED: a re-run cannot judge it either)
PROCESS_KINDS = frozenset({"timeout", "exited", "killed", "memory", UNCOMPARED})
OUTPUT_LIMIT = 64 << 20  # bytes the function may write to one file (RLIMIT_FSIZE)
SHOWN_OUTPUT = 4000  # characters of captured output kept per network
DUMP_SECONDS = 0.3  # how long a worker past its timeout gets to write its stack dump
MIN_MEMORY_LIMIT = 512 << 20  # Python, numpy and OpenBLAS's thread buffers need ~200 MB
_STARTUP_SECONDS = 120.0  # the worker's own imports (numpy, crosscheck), before any user code
# The largest reply a request can have: its arrays at most REPLY_FACTOR times over (a call's
# reply holds the gradients, the size of the parameters, and the inputs as they were after the
# call, the size of what was sent; a layer case holds out, its gradients and their numerical
# twins, each the size of an input or of dout), plus REPLY_SLACK bytes of words and pickle
# framing (a message, the user's traceback lines). A larger header is a reply no worker of
# ours sends: the call is a verdict, and nothing that size is allocated or waited for.
REPLY_FACTOR = 3
REPLY_SLACK = 1 << 20
_ENV_FLAG = "CROSSCHECK_WORKER"
# numpy's BLAS on one thread in the worker, as the fd oracle runs it (oracles/fd.py), unless
# the environment sets a count: the checks' products are small, where a second thread costs
# more than it gives (benchmarks/blas.py), and numpy's import starts no thread pool (about
# 0.1 s of CPU less per worker: a campaign starts one, a graded class one per student)
_ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_BOOT = ("import json, os, sys; sys.path[:] = json.loads(os.environ.pop('CROSSCHECK_WORKER_PATH'));"
         " from crosscheck.subject.worker import _serve; _serve(sys.argv[1:])")


class _Cut(Exception):
    """A reply frame that did not arrive whole: (bytes come, bytes promised) or oversized."""

    def __init__(self, got: int, size: int, oversized: bool = False) -> None:
        super().__init__(got, size)
        self.got, self.size, self.oversized = got, size, oversized


class LoadError(UsageError):
    """The worker could not import the user's function: a missing file or function, or an
    exception, a syntax error or ``sys.exit`` while importing its module (bad input)."""


# sys.path as it was before sealed_parent_path() took the writable entries out of the parent's:
# the worker imports the user's code with it, as the user's own Python would
_WORKER_PATH: list[str] | None = None


def _norm(entry: str) -> str:
    return os.path.realpath(entry or os.curdir)


@contextlib.contextmanager
def sealed_parent_path():
    """While it lasts, the parent imports nothing from where user code can write: the
    directory of the running script (``sys.path[0]``, a venv's bin/ for the ``crosscheck``
    command), ``''`` and the current directory leave ``sys.path`` (they come before the
    standard library, so a ``timeit.py`` planted there by the function would run in the
    parent the next time anything imports timeit). What is left is the standard library and
    site-packages. Workers still get the whole path (the user's code imports its neighbours)."""
    global _WORKER_PATH
    saved = list(sys.path)
    unsafe = {_norm(""), _norm(os.curdir)}
    if sys.argv and sys.argv[0] and sys.argv[0] != "-c":
        unsafe.add(_norm(os.path.dirname(os.path.abspath(sys.argv[0]))))
    if saved:
        first = saved[0]
        if first in ("", os.curdir) or _norm(first) in unsafe:
            unsafe.add(_norm(first))
    sys.path[:] = [p for p in saved if _norm(p) not in unsafe]
    _WORKER_PATH = saved
    try:
        yield
    finally:
        sys.path[:] = saved
        _WORKER_PATH = None


def in_worker() -> bool:
    """True inside a worker process (a nested ``crosscheck.verify`` must not start another)."""
    return os.environ.get(_ENV_FLAG) == "1"


# ---- sizes ------------------------------------------------------------------------------------

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def format_bytes(n: int) -> str:
    for unit, size in (("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g}{unit}"
    return f"{n}B"


def default_memory_limit() -> int:
    """Half the machine's physical memory (at least ``MIN_MEMORY_LIMIT``)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not Linux
        total = 8 << 30
    return max(MIN_MEMORY_LIMIT, total // 2)


def parse_memory_limit(value, flag: str = "memory_limit") -> int:
    """Bytes for ``--memory-limit``/``memory_limit=``: an int, or text such as 4G, 512M,
    1.5G (powers of 1024). ``None`` is the default (:func:`default_memory_limit`)."""
    if value is None:
        return default_memory_limit()
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    else:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*", str(value))
        if not m:
            raise UsageError(f"{flag} wants a size such as 4G or 512M, got {value!r}")
        n = int(float(m[1]) * _UNITS[m[2].lower()])
    if n < MIN_MEMORY_LIMIT:
        raise UsageError(f"{flag} {value} is below {format_bytes(MIN_MEMORY_LIMIT)}: the worker's "
                         f"Python and numpy need that much to start")
    return n


# ---- the parent's side ------------------------------------------------------------------------

# Descendants: the worker runs in a session of its own, and one killpg ends it with what it
# started in its process group. A process the user's code started in a new session
# (start_new_session=True, setsid) or double-forked is out of that group and, once its parent
# is gone, would be re-parented to init and outlive the run (one rewrote report.json after
# crosscheck exited). So the parent is a child subreaper (Linux): orphans of its descendants
# become its children; and when a worker ends, every descendant of the parent that is not one
# of its known children (the workers alive, and whatever children it had before it started
# its first worker) is killed and reaped (_end_escapees) before anything else happens.
_PR_SET_CHILD_SUBREAPER = 36
_LIVE: set[int] = set()  # pids of the workers alive
_BEFORE: set[tuple[int, str]] | None = None  # (pid, start time) of the children we had before


def _proc_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (ppid, state, start time) of every process /proc shows; {} without /proc."""
    table = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rpartition(b")")[2].split()
        except OSError:
            continue
        table[int(name)] = (int(fields[1]), fields[0].decode(), fields[19].decode())
    return table


def _become_subreaper() -> None:
    """Once per process: remember the children it has now, and (Linux) make orphaned
    descendants its children. Elsewhere nothing happens: escapees are out of reach there."""
    global _BEFORE
    if _BEFORE is not None:
        return
    me = os.getpid()
    _BEFORE = {(pid, start) for pid, (ppid, _, start) in _proc_table().items() if ppid == me}
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _end_escapees(rounds: int = 50) -> int:
    """Kill (SIGKILL) and reap every descendant of this process that is not a known child
    (a live worker and its own process tree, a child it had before its first worker), until
    none is left: a process killed here may leave children, which then come to us. Returns
    how many were killed."""
    if _BEFORE is None:
        return 0
    me, killed = os.getpid(), 0
    for _ in range(rounds):
        table = _proc_table()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        strangers = [pid for pid in children.get(me, [])
                     if pid not in _LIVE and (pid, table[pid][2]) not in _BEFORE]
        victims, stack = [], list(strangers)
        while stack:
            pid = stack.pop()
            victims.append(pid)
            stack += children.get(pid, [])
        alive = [pid for pid in victims if table[pid][1] != "Z"]
        for pid in alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        killed += len(alive)
        for pid in strangers:  # our children now: reap them (their children come to us)
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, 0)
        if not alive:
            break
    return killed


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


_SIGNAL_WORDS = {
    "SIGKILL": "SIGKILL (the system's out-of-memory killer sends it)",
    "SIGSEGV": "SIGSEGV (a segmentation fault, in C code it called)",
    "SIGABRT": "SIGABRT (an abort, often a failed allocation in C code)",
    "SIGXFSZ": f"SIGXFSZ (it wrote more than {format_bytes(OUTPUT_LIMIT)} to a file)",
}


def _status_words(status: int | None) -> tuple[str, str]:
    """(kind, words) for how the worker ended."""
    if status is None:
        return "exited", "closed its connection to crosscheck (nothing came back)"
    if status >= 0:
        return "exited", f"ended the process with status {status} (os._exit or sys.exit): nothing came back"
    name = _signal_name(-status)
    return "killed", f"was killed by {_SIGNAL_WORDS.get(name, name)}: nothing came back"


def _dumped_frames(path: str, limit: int = 1) -> tuple[str, tuple[str, ...]]:
    """The user's frames from the worker's faulthandler dump (the thread that ran the call),
    formatted like a traceback's lines ("" when nothing was dumped), and the names of every
    function on that stack, outermost first (which of a pair's functions was running)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return "", ()
    blocks = re.split(r"\n\s*\n|(?=^(?:Current thread|Thread) )", text, flags=re.M)
    pattern = re.compile(r'^\s*File "(.+)", line (\d+) in (.+)$', re.M)
    here = __file__.removesuffix("c")
    best: list = []
    for block in blocks:
        frames = [(f, int(n), name.strip()) for f, n, name in pattern.findall(block)]
        if any(f == here and name in ("_call", "_load") for f, _, name in frames):
            best = frames
            break
        best = best or frames
    summaries = [traceback.FrameSummary(f, n, name, line=linecache.getline(f, n).strip() or None)
                 for f, n, name in reversed(best)]  # the dump lists the most recent call first
    return user_frames(summaries, limit), tuple(s.name for s in summaries)


class SubjectWorker:
    """The user's function, called in a worker process: ``worker(params, X, Y, spec)`` is the
    contract ``(loss, grads)`` for the engine, or raises :class:`SubjectError`.

    ``target`` is ``FILE.py:FUNC`` or ``module:FUNC``; ``layout``, ``mode`` and ``lr`` are
    the adapter's (the adapter runs in the worker too). :meth:`load` imports the function
    (a :class:`UsageError` for bad input); every call after that is bounded by ``timeout``
    seconds and ``memory_limit`` bytes. Use it as a context manager, or :meth:`close` it.
    """

    def __init__(self, target: str, *, layout: str = "xw", mode: str = "grads", lr: float = 0.1,
                 timeout: float | None = 10.0, memory_limit: int | None = None,
                 sys_path: list[str] | None = None, dtype: str = "float64",
                 layer: tuple[str, str, str | None] | None = None,
                 function: dict | None = None, fixed_lr: float | None = None,
                 unrolled_order: str = "C") -> None:
        self.target = target
        # the function by value (subject.loading.function_payload) when it cannot be imported
        # by name; ``target`` then only names it
        self.function = function
        # (kind, FORWARD target, BACKWARD target or None): a layer pair instead of a network
        self.layer = layer
        self.layout, self.mode, self.lr, self.dtype = layout, mode, lr, dtype
        # the adapter's conventions (subject.adapters.adapt): a step size built in, and how
        # theta-unrolled flattens
        self.fixed_lr, self.unrolled_order = fixed_lr, unrolled_order
        # after load(): why the function cannot take the contract's arguments, or ""
        self.unusable = ""
        self.timeout = timeout
        self.memory_limit = default_memory_limit() if memory_limit is None else memory_limit
        self.sys_path = list(sys_path if sys_path is not None
                             else _WORKER_PATH if _WORKER_PATH is not None else sys.path)
        self._dir = tempfile.mkdtemp(prefix="crosscheck-worker-")
        self._capture = os.path.join(self._dir, "output")
        self._dump = os.path.join(self._dir, "stack")
        self._output: list[str] = []
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._ready = False
        self._loaded = False
        self.import_failure: SubjectError | None = None
        self.starts = 0  # processes started: 1 + one per network that killed or ended one
        self._finalizer = weakref.finalize(self, _cleanup, [None], self._dir)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> SubjectWorker:
        """Start the process (it imports numpy and crosscheck while the caller goes on)."""
        if self._proc is not None:
            return self
        _become_subreaper()
        parent, child = socket.socketpair()
        env = dict(os.environ, CROSSCHECK_WORKER_PATH=json.dumps(self.sys_path),
                   PYTHONUNBUFFERED="1", **{_ENV_FLAG: "1"})
        if not any(v in os.environ for v in THREAD_VARIABLES):
            env.update(_ONE_BLAS_THREAD)
        try:
            with open(self._capture, "ab") as out:
                self._proc = subprocess.Popen(
                    [sys.executable, "-c", _BOOT, str(child.fileno()), self._dump,
                     str(self.memory_limit), str(OUTPUT_LIMIT), str(os.getpid())],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=out, pass_fds=(child.fileno(),),
                    start_new_session=True, env=env)
        except OSError as exc:
            parent.close()
            raise UsageError(f"cannot start the worker process ({exc.strerror or exc})") from None
        finally:
            child.close()
        self._sock = parent
        _LIVE.add(self._proc.pid)
        self.starts += 1
        self._finalizer.detach()
        self._finalizer = weakref.finalize(self, _cleanup, [self._proc], self._dir)
        self._ready = self._loaded = False
        return self

    def load(self) -> None:
        """Import the user's function in the worker. An exception while importing, a missing
        function or file is a :class:`UsageError`; an import that ends the process or runs
        past the timeout is kept as :attr:`import_failure`, the verdict of every network."""
        self.start()
        self._wait_ready()
        if self.layer is not None:
            message = ("load_layer", *self.layer)
        else:
            message = ("load", self.target, self.layout, self.mode, self.lr, self.dtype,
                       self.function, self.fixed_lr, self.unrolled_order)
        deadline = _deadline(self.timeout)
        self._send(message, deadline)
        try:
            reply = self._receive(self.timeout, during="import", deadline=deadline)
        except SubjectError:  # kept as import_failure: every network's verdict
            return
        if reply[0] == "usage":
            self._stop()
            raise LoadError(reply[1])
        self.unusable = reply[1] if len(reply) > 1 else ""
        self._loaded = True

    def close(self) -> None:
        """Kill the worker (threads it left behind die with it) and remove its files."""
        self._stop()
        self._finalizer()

    def __enter__(self) -> SubjectWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def take_output(self) -> str:
        """What the worker wrote to stdout/stderr since the last call of this method."""
        self._read_output()
        text, self._output = "".join(self._output), []
        if len(text) > SHOWN_OUTPUT:
            text = text[:SHOWN_OUTPUT] + f"\n... ({len(text) - SHOWN_OUTPUT} more characters)"
        return text

    # -- one call -------------------------------------------------------------------------------

    def __call__(self, params, X, Y, spec):
        self._ensure_loaded()
        deadline = _deadline(self.timeout)
        cap = self._send(("call", params, X, Y, spec), deadline)
        reply = self._receive(self.timeout, during="call", deadline=deadline, cap=cap)
        if reply[0] == "ok":
            self._check_inputs(reply[3], params, X, Y, spec)
            return reply[1], reply[2]
        raise _error(reply[1], reply[2])

    def _check_inputs(self, records: list[dict], params, X, Y, spec) -> None:
        """The input-mutation check, done here on the parent's own arrays (a check in the
        worker is the user's code's to replace): every call of the user's function must have
        left the arrays it was given as this process encodes them from what it sent."""
        from crosscheck.subject.adapters import _INPLACE_HINT, _as_dtype, make_layout, step_rates

        layout = make_layout(self.layout, self.dtype, self.unrolled_order)
        Xu, Yu = _as_dtype(X, Y, layout.dtype)
        user = layout.inputs(layout.encode(params, spec))
        hint = _INPLACE_HINT if self.mode == "update" else ""
        calls = len(step_rates(self.lr, self.fixed_lr)) if self.mode == "update" else 1
        if len(records) != calls:
            raise SubjectError(f"sent crosscheck {len(records)} record(s) of the arrays it was "
                               f"given, not {calls}: its inputs cannot be checked", kind="mutated")
        for after in records:
            check_unchanged([(label, np.asarray(before, dtype=np.float64), after.get(label))
                             for label, before in user], hint)
            check_unchanged([(label, np.asarray(before, dtype=np.float64), after.get(label))
                             for label, before in (("X", Xu), ("Y", Yu))])

    def trace(self, params, X, Y, spec):
        """``(records, truncated)``: the user's function called once more on this case under
        the line tracer, in the worker (crosscheck/locate/trace.py); a SubjectError when the
        call did not come back. Tracing is slower than a call: the limit is 3 x the timeout."""
        return self._traced(("trace", params, X, Y, spec))

    def trace_layer(self, arrays: dict, extra: dict, dout, forward_only: bool = False):
        """``(records, truncated)``: the layer pair called once more on this case (as
        ``call_layer`` calls it, without finite differences) under the line tracer."""
        return self._traced(("trace_layer", arrays, extra, dout, forward_only))

    def _traced(self, message: tuple):
        from crosscheck.locate.trace import MAX_ARRAYS, MAX_ELEMENTS

        self._ensure_loaded()
        limit = None if self.timeout is None else 3 * self.timeout
        deadline = _deadline(limit)
        self._send(message, deadline)
        cap = MAX_ARRAYS * (8 * MAX_ELEMENTS + 512) + REPLY_SLACK
        reply = self._receive(limit, during="call", deadline=deadline, cap=cap)
        if reply[0] == "trace":
            return reply[1], reply[2]
        raise _error(reply[1], reply[2])

    def call_layer(self, arrays: dict, extra: dict, dout, *, numerical: str,
                   limit: float | None = None, forward_only: bool = False):
        """One layer case in the worker: ``(out, grads, numerical grads)``, the last from
        central differences of the user's own forward (empty unless ``numerical``: how they
        are taken, ``crosscheck.layers.directional.DIRECTIONAL`` or ``PER_ELEMENT``), within
        ``limit`` seconds for the whole case."""
        self._ensure_loaded()
        limit = limit if limit is not None else self.timeout
        deadline = _deadline(limit)
        cap = self._send(("call_layer", arrays, extra, dout, numerical, forward_only), deadline)
        reply = self._receive(limit, during="call", deadline=deadline, cap=cap)
        if reply[0] == "layer":
            return reply[1], reply[2], reply[3]
        raise _error(reply[1], reply[2])

    def _ensure_loaded(self) -> None:
        if self.import_failure is not None:
            raise _copy(self.import_failure)
        if self._proc is not None and self._proc.poll() is not None:  # died between calls
            kind, words = _status_words(self._proc.returncode)
            self._stop()
            raise SubjectError(words.replace("nothing came back", "after an earlier call had "
                                             "returned (a thread it left running?)"), kind=kind)
        if not self._loaded:
            try:
                self.load()
            except LoadError as exc:  # imported once, now it does not: that is the function's
                raise SubjectError(f"could not be imported again in a fresh worker: {exc}",
                                   kind="exited") from None
            if self.import_failure is not None:
                raise _copy(self.import_failure)

    @staticmethod
    def _decode(reply):
        """A reply as the caller wants it, or ValueError when it is not one: ("ok", loss,
        grads, inputs) with the gradients rebuilt from their bytes and, per call of the user's
        function, the arrays it was given as they were after the call, ("error", message, fields),
        ("loaded", why it cannot take the contract's arguments or "") or ("usage", message)."""
        if not (isinstance(reply, tuple) and reply):
            raise ValueError("not a reply")
        if reply[0] == "ok" and len(reply) == 4 and isinstance(reply[1], float) \
                and isinstance(reply[3], list):
            return "ok", reply[1], _arrays(reply[2]), [_arrays(r) for r in reply[3]]
        if reply[0] == "trace" and len(reply) == 3 and isinstance(reply[1], list):
            records = _records(reply[1])
            return "trace", records, bool(reply[2])
        if reply[0] == "layer" and len(reply) == 4:
            return ("layer", _arrays([reply[1]])["out"], _arrays(reply[2]), _arrays(reply[3]))
        if reply[0] == "error" and len(reply) == 3 and isinstance(reply[1], str) \
                and isinstance(reply[2], dict):
            return reply
        if reply[0] in ("loaded", "usage") and len(reply) == 2 and isinstance(reply[1], str):
            return reply
        raise ValueError("not a reply")

    # -- plumbing -------------------------------------------------------------------------------

    def _wait_ready(self) -> None:
        if self._ready:
            return
        try:
            data = _read_frame(self._sock, _deadline(_STARTUP_SECONDS), REPLY_SLACK)
        except (EOFError, OSError, _Cut):
            data = b""
        if data is None:
            self._stop()
            raise UsageError(f"the worker process did not start within {_STARTUP_SECONDS:g} s")
        try:
            _plain_loads(data)
        except (EOFError, OSError, pickle.UnpicklingError):
            self._proc.wait()
            self._read_output()
            detail = "".join(self._output).strip().splitlines()
            self._stop()
            raise UsageError("the worker process could not start"
                             + (f": {detail[-1]}" if detail else "")) from None
        self._ready = True

    def _send(self, message, deadline: float | None) -> int:
        """Send ``message`` by ``deadline`` (a worker that stops reading cannot block the
        parent: what is not sent by then is left, and the reply's wait times out); returns
        the cap on the reply's size (REPLY_FACTOR, REPLY_SLACK)."""
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError, TimeoutError):  # the worker is gone: _receive says how
            _write_frame(self._sock, data, deadline)
        return REPLY_FACTOR * len(data) + REPLY_SLACK

    def _receive(self, limit: float | None, *, during: str, deadline: float | None = None,
                 cap: int = REPLY_SLACK):
        """The worker's reply by ``deadline`` (``limit`` seconds from now if not given),
        header and body, at most ``cap`` bytes; otherwise kill it and raise the verdict: timed
        out (with the user's line from its stack dump), a reply cut off or oversized, exited,
        killed."""
        if deadline is None:
            deadline = _deadline(limit)
        detail, stack = "", ()
        try:
            data = _read_frame(self._sock, deadline, cap)
        except (EOFError, OSError):
            kind, words = _status_words(self._reap())
        except _Cut as cut:
            if cut.oversized:
                kind, words = "exited", (f"sent a reply of {cut.size} bytes, above the {cap} "
                                         f"bytes this request's answer can take (its reply was "
                                         f"oversized)")
            else:  # the user's code wrote part of a frame on the socket, or hangs mid-reply
                detail, stack = self._stack_dump()
                kind, words = "timeout", (f"sent a reply that was cut off: {cut.got} of its "
                                          f"{cut.size} bytes came within {limit:g} s "
                                          f"({self._flag(limit)})")
        else:
            if data is None:  # not one byte within the limit
                detail, stack = self._stack_dump()
                self._stop()
                if during == "call":
                    error = SubjectError(f"did not return within {limit:g} s "
                                         f"({self._flag(limit)}) and was stopped", kind="timeout",
                                         detail=detail, data={"stack": stack})
                else:
                    error = SubjectError(f"did not finish importing its module within "
                                         f"{limit:g} s (--timeout) and was stopped",
                                         kind="timeout", detail=detail,
                                         data={"during": "import"})
                self.import_failure = error if during == "import" else self.import_failure
                raise _copy(error)
            self._read_output()
            try:
                return self._decode(_plain_loads(data))
            except Exception:  # noqa: BLE001 - anything but a well-formed reply
                kind, words = "exited", "sent crosscheck something that is not an answer"
        self._stop()
        if during == "import":
            words = words.replace(": nothing came back", "") + " while its module was being imported"
        error = SubjectError(words, kind=kind, detail=detail,
                             data={"during": "import"} if during == "import" else
                             {"stack": stack} if stack else None)
        if during == "import":
            self.import_failure = error
        raise _copy(error)

    def _flag(self, limit: float) -> str:
        """The option behind ``limit``: a layer case (its finite differences included) gets
        10 x --timeout."""
        return ("--timeout" if limit == self.timeout else
                f"{limit / self.timeout:g} x --timeout {self.timeout:g}" if self.timeout
                else "the limit")

    def _stack_dump(self) -> tuple[str, tuple[str, ...]]:
        """Ask the worker for its stack (SIGUSR1, which its faulthandler answers from C), wait
        up to DUMP_SECONDS for it, then kill it; the user's frames from the dump, and the
        names of the functions on its stack."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self._proc.pid, signal.SIGUSR1)
        deadline = time.monotonic() + DUMP_SECONDS
        size = -1
        while time.monotonic() < deadline:  # the dump is written in one go: wait till it stops
            time.sleep(0.02)
            now = os.path.getsize(self._dump) if os.path.exists(self._dump) else 0
            if now and now == size:
                break
            size = now
        self._kill()
        return _dumped_frames(self._dump)

    def _reap(self) -> int | None:
        try:
            return self._proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:  # it closed the socket but runs on
            self._kill()
            return None

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()

    def _stop(self) -> None:
        """End the worker, and every process its user code left behind: the next call starts
        a fresh one."""
        if self._proc is not None:
            self._kill()
            _LIVE.discard(self._proc.pid)
            _end_escapees()
            self._read_output()
        if self._sock is not None:
            self._sock.close()
        self._proc, self._sock = None, None
        self._ready = self._loaded = False

    def _read_output(self) -> None:
        try:
            if os.stat(self._capture).st_size == 0:
                return
            with open(self._capture, "rb") as f:
                data = f.read(SHOWN_OUTPUT * 4 + 1)
                size = os.fstat(f.fileno()).st_size
            os.truncate(self._capture, 0)
        except OSError:
            return
        if data:
            text = data.decode("utf-8", errors="replace")
            if size > len(data):
                text += f"\n... ({size - len(data)} more bytes)"
            self._output.append(text)


def _deadline(limit: float | None) -> float | None:
    return None if limit is None else time.monotonic() + limit


def _wait(sock: socket.socket, deadline: float | None, *, write: bool = False) -> bool:
    """True when ``sock`` can be read (written) before ``deadline`` (None: wait for ever)."""
    left = None if deadline is None else max(0.0, deadline - time.monotonic())
    r, w, _ = select.select([] if write else [sock], [sock] if write else [], [], left)
    return bool(r or w)


def _read_exact(sock: socket.socket, n: int, deadline: float | None, got: bytearray) -> None:
    while len(got) < n:
        if not _wait(sock, deadline):
            raise TimeoutError
        chunk = sock.recv(min(n - len(got), 1 << 20))
        if not chunk:
            raise EOFError
        got += chunk


def _read_frame(sock: socket.socket, deadline: float | None, cap: int) -> bytes | None:
    """One frame of ``multiprocessing.connection`` (a 4-byte big-endian length, -1 and an
    8-byte length above 2 GiB, then the bytes), every byte of it by ``deadline``: None when
    not one byte came, :class:`_Cut` when a frame started and did not finish or claims more
    than ``cap`` bytes, EOFError when the worker closed the socket."""
    head = bytearray()
    try:
        _read_exact(sock, 4, deadline, head)
        size = struct.unpack("!i", head)[0]
        if size == -1:
            long = bytearray()
            _read_exact(sock, 8, deadline, long)
            size = struct.unpack("!Q", long)[0]
    except TimeoutError:
        if not head:
            return None
        raise _Cut(len(head), 4) from None
    if size < 0 or size > cap:
        raise _Cut(0, size, oversized=True)
    body = bytearray()
    try:
        _read_exact(sock, size, deadline, body)
    except TimeoutError:
        raise _Cut(len(body), size) from None
    return bytes(body)


def _write_frame(sock: socket.socket, data: bytes, deadline: float | None) -> None:
    """``data`` as one frame the worker's ``Connection.recv`` reads, sent by ``deadline``
    (TimeoutError otherwise)."""
    n = len(data)
    view = memoryview((struct.pack("!i", -1) + struct.pack("!Q", n) if n > 0x7FFFFFFF
                       else struct.pack("!i", n)) + data)
    while view:
        if not _wait(sock, deadline, write=True):
            raise TimeoutError
        sent = sock.send(view[:1 << 20])
        view = view[sent:]


def _arrays(entries) -> dict:
    """(name, shape, float64 bytes) entries as arrays (copies the caller may write), or
    ValueError for anything else."""
    return {name: _array(name, tuple(shape), data).copy() for name, shape, data in entries}


def _array(name, shape, data) -> np.ndarray:
    """One (name, shape, float64 bytes) entry as a read-only view of its bytes, or ValueError
    when it is not what the worker sends."""
    if not (type(name) is str and type(shape) is tuple and type(data) is bytes
            and all(type(n) is int and n >= 0 for n in shape)
            and len(data) == 8 * math.prod(shape)):
        raise ValueError("a malformed array")
    return np.frombuffer(data, dtype=np.float64).reshape(shape)


def _records(entries: list) -> list:
    """The records of a "trace" reply (crosscheck.locate.trace.Record), each checked to be
    what the worker sends, or ValueError. Their arrays are read-only views of the bytes that
    came (a traced call sends hundreds of small arrays: no copy, no dict per array)."""
    from crosscheck.locate.trace import Record

    out = []
    try:
        for file, line, source, given, (ident, frame, callers), (name, shape, data) in entries:
            if not (type(file) is str and type(line) is int and type(source) is str
                    and type(ident) is int and type(frame) is int and type(callers) is tuple
                    and all(type(c) is tuple and len(c) == 2 and type(c[0]) is int
                            and type(c[1]) is int for c in callers)):
                raise ValueError("a malformed record")
            out.append(Record(file, line, source, name, _array(name, shape, data),
                              bool(given), ident, frame, callers))
    except TypeError as exc:  # not a tuple of the record's arity
        raise ValueError("a malformed record") from exc
    return out


def _entry(name: str, value: np.ndarray) -> tuple:
    return (name, tuple(int(n) for n in value.shape),
            np.ascontiguousarray(value, dtype=np.float64).tobytes())


def _cleanup(procs: list, directory: str) -> None:
    for proc in procs:
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc is not None:
            _LIVE.discard(proc.pid)
            _end_escapees()
    shutil.rmtree(directory, ignore_errors=True)


class _NoClasses(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{module}.{name}: the worker's replies hold no objects")


def _plain_loads(data: bytes):
    """Unpickle tuples, lists, dicts, str, bytes, numbers and None, and nothing else."""
    return _NoClasses(io.BytesIO(data)).load()


def _copy(error: SubjectError) -> SubjectError:
    return _error(str(error), dict(vars(error)))


def _error(message: str, fields: dict) -> SubjectError:
    """A SubjectError rebuilt from the worker's words and fields (whatever fields the class
    has: the constructor is bypassed so that new structured fields travel too)."""
    error = SubjectError.__new__(SubjectError)
    Exception.__init__(error, message)
    error.kind, error.detail = "returned", ""
    error.data = {"kind": fields.get("kind", "returned"), "message": message}
    error.__dict__.update(fields)
    return error


# ---- the worker's side ------------------------------------------------------------------------

def _serve(argv: list[str]) -> None:  # pragma: no cover - runs in the worker process
    """The worker's main loop: limits first, then answer "load" and "call" until told to
    stop or the parent goes away."""
    fd, dump_path, memory, fsize, parent_pid = argv
    _die_with_parent(int(parent_pid))
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(fsize), int(fsize)))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    faulthandler.enable()  # a crash in C code prints the Python stack into the captured output
    conn = Connection(int(fd))
    dump = open(dump_path, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the worker
    faulthandler.register(signal.SIGUSR1, file=dump, all_threads=True)  # the parent's "time's up"
    stdio = (os.dup(1), os.dup(2))
    state = {"contract": None, "memory": int(memory)}
    # the heavy imports happen before "ready": the parent's clock for the user starts after
    from crosscheck.engine.check import run_subject  # noqa: F401
    from crosscheck.reference.sampling import Case  # noqa: F401
    from crosscheck.subject import adapters, loading  # noqa: F401

    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        op = message[0]
        _restore_stdio(stdio)
        if op == "load":
            reply = _load(state, *message[1:])
        elif op == "call":
            reply = _call(state, *message[1:])
        elif op == "load_layer":
            reply = _load_layer(state, *message[1:])
        elif op == "call_layer":
            reply = _call_layer(state, *message[1:])
        elif op == "trace":
            reply = _trace(state, *message[1:])
        elif op == "trace_layer":
            reply = _trace_layer(state, *message[1:])
        else:
            os._exit(0)
        _flush()
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - e.g. an answer that cannot be pickled
            conn.send(("error", f"returned something crosscheck cannot carry back "
                                f"({type(exc).__name__})", {"kind": "returned"}))


def _load(state: dict, target: str, layout: str, mode: str, lr: float,
          dtype: str = "float64", function: dict | None = None, fixed_lr: float | None = None,
          unrolled_order: str = "C"):  # pragma: no cover - worker
    from crosscheck.subject.adapters import adapt
    from crosscheck.subject.loading import load_function, rebuild_function
    from crosscheck.subject.probe import probe_signature

    try:
        if function is not None:
            try:
                fn = rebuild_function(function)
            except Exception as exc:  # noqa: BLE001 - a global that does not unpickle here
                return ("usage", f"rebuilding {target} in the worker raised "
                                 f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}")
        else:
            fn, _ = load_function(target)
        unusable = probe_signature(fn, layout=layout, mode=mode,  # reads the signature only
                                   fixed=fixed_lr is not None)
        state["contract"] = adapt(fn, layout=layout, mode=mode, lr=lr, timeout=None, dtype=dtype,
                                  fixed_lr=fixed_lr, unrolled_order=unrolled_order)
    except UsageError as exc:
        return ("usage", str(exc))
    except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt, GeneratorExit at import
        return ("usage", f"importing {target.rpartition(':')[0]} raised {type(exc).__name__}")
    return ("loaded", unusable)


def _load_layer(state: dict, kind: str, forward: str, backward: str | None):  # pragma: no cover
    from crosscheck.subject.loading import load_function

    try:
        fwd, _ = load_function(forward)
        bwd = load_function(backward)[0] if backward else None
        state["layer"] = (kind, fwd, bwd)
    except UsageError as exc:
        return ("usage", str(exc))
    except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt, GeneratorExit at import
        return ("usage", f"importing {forward.rpartition(':')[0]} raised {type(exc).__name__}")
    return ("loaded", "")


def _call_layer(state: dict, arrays: dict, extra: dict, dout, numerical: str,
                forward_only: bool = False):  # pragma: no cover - runs in the worker
    from crosscheck.engine.check import describe_exception
    from crosscheck.layers.kinds import KINDS, call, numerical_grads

    kind, forward, backward = state["layer"]
    try:
        try:
            out, grads, _ = call(KINDS[kind], forward, backward, arrays, extra, dout, forward_only)
            num = (numerical_grads(KINDS[kind], forward, arrays, extra, dout, how=numerical)
                   if numerical and not forward_only else {})
        except SubjectError:
            raise
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt raised by the function
            raise describe_exception(exc) from exc
        return ("layer", _entry("out", out), [_entry(k, v) for k, v in grads.items()],
                [_entry(k, v) for k, v in num.items()])
    except SubjectError as exc:
        return ("error", str(exc), {k: v for k, v in
                                    ((k, _plain_data(v)) for k, v in vars(exc).items())
                                    if _plain(v)})


def _call(state: dict, params, X, Y, spec):  # pragma: no cover - runs in the worker
    from crosscheck.engine.check import describe_exception, run_subject
    from crosscheck.reference.sampling import Case
    from crosscheck.subject import adapters

    adapters.RECORD = []  # the arrays each call was given, as they are after it
    try:
        try:
            party = run_subject(state["contract"], Case(spec, params, X, Y))
        except SubjectError:
            raise
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt raised by the function
            raise describe_exception(exc) from exc
        grads = [_entry(k, v) for k, v in party.grads.items()]
        inputs = [[_entry(label, np.asarray(a)) for label, a in record]
                  for record in adapters.RECORD]
        return ("ok", float(party.loss), grads, inputs)
    except SubjectError as exc:
        if isinstance(exc.__cause__, MemoryError):
            exc.kind = "memory"
            exc.args = (f"ran out of memory (limit {format_bytes(state['memory'])}, "
                        f"--memory-limit): {exc}",)
        try:
            message = str(exc)
            fields = {k: _plain_data(v) for k, v in vars(exc).items()}
            fields = {k: v for k, v in fields.items() if _plain(v)}
        except Exception:  # noqa: BLE001 - a message that cannot be shown
            message, fields = "raised an exception whose message cannot be shown", {"kind": "raised"}
        return ("error", message, fields)


def _trace(state: dict, params, X, Y, spec):  # pragma: no cover - runs in the worker
    """One more call of the user's function on a failing case, under the line tracer
    (crosscheck/locate/trace.py): the arrays its own lines bound, as plain data."""
    from crosscheck.engine.check import run_subject
    from crosscheck.locate.trace import trace_call
    from crosscheck.reference.sampling import Case
    from crosscheck.subject import adapters

    adapters.RECORD = []
    adapters.ONE_RATE = True  # an update-mode step at its first rate only
    try:
        _, _, recording = trace_call(run_subject, state["contract"], Case(spec, params, X, Y))
    finally:
        adapters.ONE_RATE = False
    return _trace_reply(recording)


def _trace_layer(state: dict, arrays: dict, extra: dict, dout,
                 forward_only: bool = False):  # pragma: no cover - runs in the worker
    """The layer pair called once more on a failing case under the line tracer."""
    from crosscheck.layers.kinds import KINDS, call
    from crosscheck.locate.trace import trace_call

    kind, forward, backward = state["layer"]
    _, _, recording = trace_call(call, KINDS[kind], forward, backward, arrays, extra, dout,
                                 forward_only)
    return _trace_reply(recording)


def _trace_reply(recording):  # pragma: no cover - runs in the worker
    return ("trace", [(r.file, r.line, r.source, r.given, (r.ident, r.frame, r.callers),
                       _entry(r.name, r.value))
                      for r in recording.records], bool(recording.truncated))


def _plain_data(value):
    """``value`` with numpy arrays and scalars as nested lists and floats (a SubjectError's
    ``data`` carries the gradients an lr-dependent step implied, the loss beside a wrong
    shape), so that it can travel as plain data."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain_data(v) for v in value)
    return value


def _plain(value) -> bool:
    """Data that unpickles without importing anything the user wrote."""
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _restore_stdio(saved: tuple[int, int]) -> None:  # pragma: no cover - runs in the worker
    """Give the function a working stdout/stderr even if an earlier call closed them."""
    for fd, name, backup in ((1, "stdout", saved[0]), (2, "stderr", saved[1])):
        stream = getattr(sys, name)
        if stream is None or getattr(stream, "closed", True) or _fd_closed(fd):
            with contextlib.suppress(OSError):
                os.dup2(backup, fd)
            setattr(sys, name, open(fd, "w", encoding="utf-8", errors="replace",  # noqa: SIM115
                                    buffering=1, closefd=False))


def _fd_closed(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


def _flush() -> None:  # pragma: no cover - runs in the worker
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def _die_with_parent(parent_pid: int) -> None:  # pragma: no cover - runs in the worker
    """Linux: SIGKILL this process when the parent dies (the parent may be killed -9)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
