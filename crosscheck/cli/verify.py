"""``crosscheck verify FILE.py:FUNC``: check the user's own backprop, as written, against the
oracles on random networks, and name the likely bug for each failing network.

The function is imported and called in a worker process (crosscheck/subject/worker.py), never
in this one. Every argument, the size of the networks and the report directory are checked
before the worker starts; a target that cannot be imported is exit 2 before the campaign."""

from __future__ import annotations

import sys

from crosscheck.api import check_limits, lr_beside_fixed_lr, options_at, run_verify
from crosscheck.cli.args import add_network_options, add_output_options, campaign_options
from crosscheck.cli.progress import Progress
from crosscheck.cli.watch import watch, watched_targets
from crosscheck.errors import UsageError, option
from crosscheck.options import add_options, check_lr
from crosscheck.runner import check_timeout, prepare_report_dir
from crosscheck.subject.inputs import load_inputs
from crosscheck.subject.loading import target_label
from crosscheck.subject.worker import parse_memory_limit

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "verify", help="check your own backprop function against the oracles",
        description="Check your own hand-written backprop, as written, against PyTorch "
                    "autograd and finite differences on random networks (TensorFlow too with "
                    "--oracles torch,tensorflow,fd); for each failing network, name the likely "
                    "bug.")
    p.add_argument("target", metavar="FILE.py:FUNC",
                   help="the function to check: path/to/file.py:FUNC or package.module:FUNC")
    add_options(p, "verify")
    add_options(p, "cli")
    add_network_options(p, networks=20)
    add_output_options(p)
    p.set_defaults(handler=run)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def run(args) -> int:
    check, paths = checker(args)
    if args.watch:
        return watch(check, paths)
    result = check()
    print(result)
    return 0 if result.passed else 1


def checker(args):
    """``(check, watched paths)`` for parsed verify ``args``: ``check()`` runs the verification
    once and returns its result (a bad flag raises UsageError before anything runs)."""
    if args.fixed_lr is not None and args.lr is not None:
        raise lr_beside_fixed_lr()
    if args.mode == "grads" and args.lr is not None:
        raise UsageError(f"{option('lr')} only applies with {option('mode', 'update')}")
    lr = check_lr(_number(args.lr), shown=args.lr) if args.lr is not None else 0.1
    timeout = check_timeout(args.timeout, required=True)
    memory = parse_memory_limit(args.memory_limit, flag=option("memory_limit"))
    fixed_case = None
    if args.inputs is not None:  # one network: the user's own arrays
        drawn = {name: getattr(args, name, None) for name in (
            "batch", "scale", "max_depth", "max_width", "targets", "architecture", "cnn")}
        fixed_case, options = options_at(
            load_inputs(args.inputs, args.layout), drawn=drawn, seed=args.seed,
            layout=args.layout, unrolled_order=args.unrolled_order, sizes=args.sizes,
            activations=args.activations, hidden_activations=args.hidden_activations,
            output_activation=args.output_activation, loss=args.loss, l2=args.l2,
            reduction=args.reduction or "mean", l2_convention=args.l2_convention or "batch",
            bias=args.bias is not False)
    else:
        options = campaign_options(args, edges=args.edge_networks)
    check_limits(options, max_size=args.max_size)
    label = target_label(args.target)
    paths = watched_targets([args.target]) if args.watch else []

    def check():
        report_dir = prepare_report_dir(args.report)
        result = run_verify(args.target, label, layout=args.layout, mode=args.mode, lr=lr,
                            timeout=timeout, options=options, oracles=args.oracles,
                            shrink=args.shrink, subject_import=args.target, memory_limit=memory,
                            progress=Progress("verify"), dtype=args.dtype, report=report_dir,
                            fixed_lr=args.fixed_lr, unrolled_order=args.unrolled_order,
                            fixed_case=fixed_case, strict=args.strict)
        for path in result.written:
            print(f"wrote {path}", file=sys.stderr)
        return result

    return check, paths
