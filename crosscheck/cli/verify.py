"""``crosscheck verify FILE.py:FUNC``: check the user's own backprop, as written, against the
oracles on random networks, and name the likely bug for each failing network."""

from __future__ import annotations

import math
import sys

from crosscheck.api import run_verify
from crosscheck.cli.args import add_network_options, add_output_options, campaign_options
from crosscheck.cli.progress import Progress
from crosscheck.cli.run import prepare_report_dir
from crosscheck.errors import UsageError
from crosscheck.subject.adapters import DTYPES, LAYOUTS, MIN_LR, MODES
from crosscheck.subject.loading import load_function

__all__ = ["add_parser", "run"]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"--timeout wants a number of seconds > 0, got {text!r}")
    return value


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
                   help="stop a call of your function after this long (default 10)")
    add_network_options(p, networks=20)
    add_output_options(p)
    p.set_defaults(handler=run)


def run(args) -> int:
    if args.mode == "grads" and args.lr is not None:
        raise UsageError("--lr only applies with --mode update")
    lr = _rate(args.lr) if args.lr is not None else 0.1
    timeout = _seconds(args.timeout)
    options = campaign_options(args, edges=True)
    report_dir = prepare_report_dir(args.report)
    fn, label = load_function(args.target)
    result = run_verify(fn, label, layout=args.layout, mode=args.mode, lr=lr, timeout=timeout,
                        options=options, oracles=args.oracles, shrink=args.shrink,
                        subject_import=args.target, progress=Progress("verify"),
                        dtype=args.dtype)
    if report_dir is not None:
        for path in result.write_report(report_dir):
            print(f"wrote {path}", file=sys.stderr)
    print(result)
    return 0 if result.passed else 1
