"""The ``crosscheck`` command: dispatch to one module per subcommand.

Exit codes: 0 all agree; 1 a discrepancy; 2 usage, input or environment error (one line on
stderr, nothing half-written).
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading

from crosscheck import __version__
from crosscheck.cli import grade as cmd_grade
from crosscheck.cli import layer as cmd_layer
from crosscheck.cli import pitfalls as cmd_pitfalls
from crosscheck.cli import run as cmd_run
from crosscheck.cli import verify as cmd_verify
from crosscheck.cli.args import OnelineParser
from crosscheck.errors import Terminated, UsageError
from crosscheck.options import flag
from crosscheck.subject.worker import sealed_parent_path

__all__ = ["main"]

# Each module provides add_parser(subparsers) and run(args) -> int.
SUBCOMMANDS = [cmd_run, cmd_verify, cmd_layer, cmd_pitfalls, cmd_grade]


def build_parser() -> OnelineParser:
    parser = OnelineParser(
        prog="crosscheck",
        description="Check hand-written backpropagation against PyTorch, TensorFlow and "
                    "finite differences, and name the bug.",
    )
    parser.add_argument("--version", action="version", version=f"crosscheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OnelineParser)
    sub.required = True
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The command. Before anything else: standard streams that are closed become /dev/null
    (a socket or a capture file must never take fd 1 or 2), nothing is imported from where
    user code can write (:func:`sealed_parent_path`), what crosscheck prints has its control
    bytes escaped and cannot fail on a full disk (:class:`_Guarded`), and SIGTERM/SIGHUP end the
    run through its cleanup (workers killed, their directories removed) with 128 + signal."""
    _reopen_closed_stdio()
    out, err = _Guarded(sys.stdout), _Guarded(sys.stderr, keep="\n\t\r")
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    main_thread = threading.current_thread() is threading.main_thread()
    handlers = {sig: signal.signal(sig, _terminated) for sig in _ENDING} if main_thread else {}
    try:
        with sealed_parent_path():
            try:
                code = _main(argv)
            except Terminated as exc:  # nobody on the way blamed the subject for it
                code = exc.code
        out.flush()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        sys.stdout, sys.stderr = saved
    if out.failed:  # one line, and the verdict's own exit code
        err.write(f"crosscheck: error: cannot write to stdout ({out.failed}); the verdict is "
                  f"the exit code\n")
        err.flush()
        _silence(saved[0])
    return code


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # `crosscheck explain ... | head`: the reader left; leave quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot raise
        return 1
    except UsageError as exc:
        print(f"crosscheck: error: {exc.worded(flag)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crosscheck: interrupted", file=sys.stderr)
        return 130


_ENDING = (signal.SIGTERM, signal.SIGHUP)


def _terminated(signum, frame):
    raise Terminated(signum)  # the finally blocks run: workers killed, files removed


def _reopen_closed_stdio() -> None:
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            setattr(sys, name, open(fd, mode, encoding="utf-8", errors="replace",  # noqa: SIM115
                                    closefd=False))
        else:
            if getattr(sys, name) is None:
                setattr(sys, name, open(fd, mode, encoding="utf-8", errors="replace",  # noqa: SIM115
                                        closefd=False))


def _silence(stream) -> None:
    """Point ``stream``'s fd at /dev/null, so that the interpreter's last flush cannot fail
    (a second message, a traceback) where the first write already did."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


# C0 controls but the kept ones, DEL, and C1 controls: shown as \xNN
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class _Guarded:
    """A text stream that escapes control bytes (``\x1b`` becomes the four characters
    ``\\x1b``: user output, user exception messages and file names reach the terminal as
    text, never as commands) and keeps an OSError of the stream (a full disk) as
    :attr:`failed` instead of raising it. A closed pipe still raises BrokenPipeError."""

    def __init__(self, stream, keep: str = "\n\t") -> None:
        self.stream, self.keep, self.failed = stream, keep, ""

    def _escape(self, match) -> str:
        c = match.group()
        return c if c in self.keep else f"\\x{ord(c):02x}"

    def write(self, text: str) -> int:
        if not self.failed:
            try:
                self.stream.write(_CONTROL.sub(self._escape, text))
            except BrokenPipeError:
                raise
            except OSError as exc:
                self.failed = exc.strerror or str(exc)
        return len(text)

    def flush(self) -> None:
        if not self.failed:
            try:
                self.stream.flush()
            except BrokenPipeError:
                raise
            except OSError as exc:
                self.failed = exc.strerror or str(exc)

    def __getattr__(self, name):
        return getattr(self.stream, name)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
