"""``crosscheck verify FILE.py:FUNC``: check the user's own backprop, as written, against the
oracles on random networks, and name the likely bug for each failing network.

The function is imported and called in a worker process (crosscheck/subject/worker.py), never
in this one. Every argument, the size of the networks and the report directory are checked
before the worker starts; a target that cannot be imported is exit 2 before the campaign."""

from __future__ import annotations

import math
import sys

from crosscheck.api import check_limits, check_timeout, prepare_report_dir, run_verify
from crosscheck.cli.args import add_network_options, add_output_options, campaign_options
from crosscheck.cli.progress import Progress
from crosscheck.cli.run import add_limit_options
from crosscheck.errors import UsageError
from crosscheck.subject.adapters import DTYPES, LAYOUTS, MIN_LR, MODES
from crosscheck.subject.loading import target_label
from crosscheck.subject.worker import default_memory_limit, format_bytes, parse_memory_limit

__all__ = ["add_parser", "run"]


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value >= MIN_LR):
        raise UsageError(f"--lr wants a finite number >= {MIN_LR:g}, got {text!r} (a smaller "
                         f"step drowns the inferred gradient in float64 rounding)")
    return value


def add_parser(sub) -> None:
    p = sub.add_parser(
        "verify", help="check your own backprop function against the oracles",
        description="Check your own hand-written backprop, as written, against PyTorch, "
                    "TensorFlow and finite differences on random networks; for each failing "
                    "network, name the likely bug.")
    p.add_argument("target", metavar="FILE.py:FUNC",
                   help="the function to check: path/to/file.py:FUNC or package.module:FUNC")
    p.add_argument("--layout", choices=LAYOUTS, default="xw",
                   help="xw: W_l (in, out), b_l (out,) (default); theta: Theta_l "
                        "(out, in + 1) with the bias as column 0; theta-unrolled: one 1-D "
                        "vector of the Theta_l flattened row-major, returns (loss, grad)")
    p.add_argument("--mode", choices=MODES, default="grads",
                   help="grads: f(params, X, Y, spec) -> (loss, grads) (default); update: "
                        "f(params, X, Y, spec, lr) -> new_params, one SGD step")
    p.add_argument("--lr", metavar="LR", help=f"learning rate for --mode update (default 0.1; "
                                              f">= {MIN_LR:g}); also checked at 2 * LR")
    p.add_argument("--dtype", choices=DTYPES, default="float64",
                   help="float32: your function gets float32 arrays and returns float32 ones, "
                        "judged with tolerances derived for float32 rounding (default float64)")
    p.add_argument("--timeout", metavar="SECONDS", default="10",
                   help="stop a call of your function, or the import of its module, after this "
                        "long: its process is killed (default 10; 0.01 to 86400)")
    p.add_argument("--memory-limit", metavar="SIZE",
                   help=f"address space of the process your function runs in, e.g. 4G or 512M "
                        f"(default half this machine's memory: "
                        f"{format_bytes(default_memory_limit())})")
    add_network_options(p, networks=20)
    add_limit_options(p)
    add_output_options(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    if args.mode == "grads" and args.lr is not None:
        raise UsageError("--lr only applies with --mode update")
    lr = _rate(args.lr) if args.lr is not None else 0.1
    timeout = check_timeout(args.timeout, cli=True)
    memory = parse_memory_limit(args.memory_limit, flag="--memory-limit")
    options = campaign_options(args, edges=True)
    check_limits(options, max_size=args.max_size, cli=True)
    label = target_label(args.target)
    report_dir = prepare_report_dir(args.report)
    result = run_verify(args.target, label, layout=args.layout, mode=args.mode, lr=lr,
                        timeout=timeout, options=options, oracles=args.oracles,
                        shrink=args.shrink, subject_import=args.target, memory_limit=memory,
                        progress=Progress("verify"), dtype=args.dtype)
    if report_dir is not None:
        for path in result.write_report(report_dir):
            print(f"wrote {path}", file=sys.stderr)
    print(result)
    return 0 if result.passed else 1
