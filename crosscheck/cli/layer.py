"""``crosscheck verify-layer KIND FILE.py:FORWARD [FILE.py:BACKWARD]``: one hand-written layer,
CS231n style, against PyTorch and finite differences of its own forward."""

from __future__ import annotations

import sys

from crosscheck.cli.progress import Progress
from crosscheck.cli.watch import watch, watched_targets
from crosscheck.errors import UsageError
from crosscheck.layers.kinds import KINDS
from crosscheck.layers.verify import DROPOUT_P, run_layer
from crosscheck.options import add_options, count, positive_int
from crosscheck.runner import check_timeout, prepare_report_dir
from crosscheck.subject.loading import target_label
from crosscheck.subject.worker import parse_memory_limit

__all__ = ["add_parser", "run"]


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise UsageError(f"--seed wants an integer >= 0, got {text!r}")
    return value


def add_parser(sub) -> None:
    p = sub.add_parser(
        "verify-layer", help="check one layer's forward/backward pair (CS231n style)",
        description="Check a hand-written layer, out, cache = KIND_forward(...) and grads = "
                    "KIND_backward(dout, cache) (a loss kind: one function (x, y) -> (loss, dx)), "
                    "against PyTorch's and TensorFlow's ops and autograd and against finite "
                    "differences of your own forward, on random cases.")
    p.add_argument("kind", choices=sorted(KINDS), metavar="KIND",
                   help=f"one of {', '.join(sorted(KINDS))}")
    p.add_argument("forward", metavar="FILE.py:FORWARD", help="the forward (or the loss function)")
    p.add_argument("backward", metavar="FILE.py:BACKWARD", nargs="?", default=None,
                   help="the backward (none for softmax_loss and svm_loss)")
    p.add_argument("--cases", type=positive_int, default=20, help="random cases (default 20)")
    p.add_argument("--seed", default="0", help="same seed, same cases (default 0)")
    p.add_argument("--timeout", default="10", metavar="SECONDS",
                   help="per call of your functions; a case with its finite differences gets "
                        "10 x (default 10)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                   help="float32: your layer gets float32 arrays and is judged with the float32 "
                        "tolerances (no finite differences: they only measure float32 rounding)")
    p.add_argument("--shrink", type=count, default=1, metavar="K",
                   help="shrink the first K failing cases to the smallest failing shape "
                        "(default 1; 0: none)")
    p.add_argument("--dropout-p", choices=DROPOUT_P, default="keep",
                   help="what dropout's p means to your layer: keep (the keep probability, "
                        "as the contract says; default) or drop (the drop probability)")
    p.add_argument("--strict", action="store_true",
                   help="fail a subgradient convention at a kink (ReLU'(0) = 1, tied pooling "
                        "maxima sharing the gradient) where the frameworks differ; by default "
                        "it is a warning")
    p.add_argument("--report", metavar="DIR",
                   help="write report.json, report.md, report.html and junit.xml into DIR, and "
                        "a script reproducing each shrunk case")
    p.add_argument("--memory-limit", default=None, metavar="SIZE",
                   help="the worker's address space, e.g. 4G (default: half the machine's memory)")
    add_options(p, "cli")
    p.set_defaults(handler=run)


def run(args) -> int:
    seed, timeout = _seed(args.seed), check_timeout(args.timeout, required=True)
    memory = parse_memory_limit(args.memory_limit, flag="--memory-limit")
    label = target_label(args.forward).removesuffix("_forward")
    paths = watched_targets([args.forward, args.backward]) if args.watch else []

    def check():
        report_dir = prepare_report_dir(args.report)  # checked before any work
        result = run_layer(args.kind, args.forward, args.backward, label, cases=args.cases,
                           seed=seed, timeout=timeout, memory_limit=memory,
                           progress=Progress("verify-layer"), dtype=args.dtype,
                           shrink=args.shrink, report=report_dir, dropout_p=args.dropout_p,
                           strict=args.strict)
        for path in result.written:
            print(f"wrote {path}", file=sys.stderr)
        return result

    if args.watch:
        return watch(check, paths)
    result = check()
    print(result)
    return 0 if result.passed else 1
