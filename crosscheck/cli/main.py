"""The ``crosscheck`` command: dispatch to one module per subcommand.

Exit codes: 0 all agree; 1 a discrepancy; 2 usage, input or environment error (one line on
stderr, nothing half-written).
"""

from __future__ import annotations

import os
import sys

from crosscheck import __version__
from crosscheck.cli import layer as cmd_layer
from crosscheck.cli import pitfalls as cmd_pitfalls
from crosscheck.cli import run as cmd_run
from crosscheck.cli import verify as cmd_verify
from crosscheck.cli.args import OnelineParser
from crosscheck.errors import UsageError
from crosscheck.subject.worker import sealed_parent_path

__all__ = ["main"]

# Each module provides add_parser(subparsers) and run(args) -> int.
SUBCOMMANDS = [cmd_run, cmd_verify, cmd_layer, cmd_pitfalls]


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
    with sealed_parent_path():  # before anything else: nothing imported from a writable place
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # `crosscheck explain ... | head`: the reader left; leave quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot raise
        return 1
    except UsageError as exc:
        print(f"crosscheck: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crosscheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
