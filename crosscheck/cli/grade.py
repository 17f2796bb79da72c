"""``crosscheck grade SUBMISSIONS --out DIR``: a whole class at once, and ``crosscheck merge``
for the shards of one.

Every student is checked as ``crosscheck verify`` (``--layer``: ``verify-layer``; ``--cnn``:
``verify --cnn``) checks one, with the same flags, in a worker of their own; the frameworks
are loaded once per grading process (crosscheck/grade/). Exit 0 once every student is graded,
whatever their verdicts (each student's is in their folder and in the class report); 2 for
bad input to the whole run, with nothing written."""

from __future__ import annotations

import os
from types import SimpleNamespace

from crosscheck.cli.args import OnelineParser, add_network_options, add_output_options
from crosscheck.cli.progress import Progress
from crosscheck.errors import UsageError, option
from crosscheck.options import OPTIONS, add_options, positive_int, reproduce_line

__all__ = ["add_parser", "config", "run", "run_merge"]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def configure(p) -> None:
    """The flags of ``grade`` on the parser ``p``."""
    p.add_argument("submissions", metavar="SUBMISSIONS",
                   help="a folder of .py files, or of one folder per student")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="where the students' reports and the class report go (replaced whole)")
    p.add_argument("--target", default="loss_and_grads", metavar="FUNC",
                   help="the function every submission defines (default loss_and_grads)")
    p.add_argument("--layer", nargs="+", metavar=("KIND", "FUNCTION"), default=None,
                   help="a layer assignment: the kind and the names of the forward and backward "
                        "functions (a loss kind: one function)")
    p.add_argument("--cases", type=positive_int, default=None, metavar="N",
                   help="with --layer: random cases per student, as verify-layer's --cases "
                        "(default 20)")
    p.add_argument("--file", default=None, metavar="NAME",
                   help="in a folder per student, the file to grade (default: the one .py file "
                        "that defines the function)")
    p.add_argument("--jobs", type=positive_int, default=_cores(), metavar="N",
                   help="students graded in parallel (default: the cores, here %(default)s)")
    p.add_argument("--shard", default=None, metavar="I/N",
                   help="grade the I-th of N deterministic parts of the class (crosscheck merge "
                        "joins them)")
    add_options(p, "verify")
    add_network_options(p, networks=20)
    add_output_options(p)


def add_parser(sub) -> None:
    p = sub.add_parser(
        "grade", help="check a whole class of submissions and write a class report",
        description="Check every submission in a folder as crosscheck verify checks one, each "
                    "in its own worker, and write each student's report (report.json and "
                    "Gradescope's results.json) and a class report (class.md, class.html, "
                    "class.json) into --out.")
    configure(p)
    p.set_defaults(handler=run)
    m = sub.add_parser(
        "merge", help="join the outputs of crosscheck grade --shard I/N into one",
        description="Join the outputs of crosscheck grade --shard 1/N ... N/N of one class into "
                    "one output, as one unsharded run would have written it.")
    m.add_argument("dirs", nargs="+", metavar="DIR", help="the shards' --out directories")
    m.add_argument("--out", required=True, metavar="DIR", help="where the merged output goes")
    m.set_defaults(handler=run_merge)


def _changed(args) -> dict:
    """The options of verify that ``args`` sets to other than their defaults, in the order
    crosscheck/options.py declares them."""
    p = OnelineParser()
    configure(p)
    defaults = p.parse_args(["SUBMISSIONS", "--out", "DIR"])
    return {name: getattr(args, name) for name in OPTIONS
            if hasattr(args, name) and getattr(args, name) != getattr(defaults, name)}


def config(args):
    """(the :class:`~crosscheck.grade.student.GradeConfig` every student is checked with, the
    assignment as class.json records it), after checking every flag as verify does."""
    from crosscheck.api import check_cnn_call, check_limits
    from crosscheck.cli.args import campaign_options
    from crosscheck.grade.student import GradeConfig
    from crosscheck.options import check_lr
    from crosscheck.runner import check_timeout
    from crosscheck.subject.worker import parse_memory_limit

    if args.report is not None:
        raise UsageError("--report: grade writes every student's report under --out DIR")
    timeout = check_timeout(args.timeout, required=True)
    memory = parse_memory_limit(args.memory_limit, flag=option("memory_limit"))
    changed = _changed(args)
    if args.layer:
        return _layer_config(args, timeout, memory, changed)
    if args.cases is not None:
        raise UsageError("--cases counts a layer assignment's cases (with --layer); a network "
                         "assignment counts --networks")
    if args.mode == "grads" and args.lr is not None:
        raise UsageError(f"{option('lr')} only applies with {option('mode', 'update')}")
    lr = check_lr(_number(args.lr), shown=args.lr) if args.lr is not None else 0.1
    options = campaign_options(args, edges=True)
    check_limits(options, max_size=args.max_size)
    if options.architecture == "cnn":
        check_cnn_call(args.layout, args.mode, args.dtype, args.oracles)
    flags = reproduce_line("", changed).removeprefix("crosscheck verify").strip()
    cfg = GradeConfig(functions=(args.target,), flags=flags, verify={
        "layout": args.layout, "mode": args.mode, "lr": lr, "timeout": timeout,
        "options": options, "oracles": tuple(args.oracles), "shrink": args.shrink,
        "memory_limit": memory, "dtype": args.dtype})
    assignment = {"command": "verify", "functions": list(cfg.functions), "flags": flags,
                  "file": args.file}
    return cfg, assignment


def _layer_config(args, timeout, memory, changed):
    from crosscheck.grade.student import GradeConfig
    from crosscheck.layers.kinds import KINDS

    kind, *functions = args.layer
    if kind not in KINDS:
        raise UsageError(f"--layer: unknown layer kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    wants = 1 if KINDS[kind].loss else 2
    if len(functions) != wants:
        words = "its loss function" if wants == 1 else "its forward and backward functions"
        raise UsageError(f"--layer {kind} wants {words} after the kind, e.g. --layer {kind} "
                         + (f"{kind}" if wants == 1 else f"{kind}_forward {kind}_backward"))
    allowed = {"seed", "timeout", "memory_limit", "dtype", "shrink"}
    other = [OPTIONS[n].flag for n in changed if n not in allowed]
    if other:
        raise UsageError(f"{other[0]} does not apply to --layer (it takes --cases, --seed, "
                         f"--timeout, --memory-limit, --dtype, --shrink)"
                         + (": the number of cases is --cases" if other[0] == "--networks" else ""))
    cases = args.cases if args.cases is not None else 20
    shrink = args.shrink if "shrink" in changed else 1
    flags = " ".join(f"{flag} {value}" for flag, value in (
        ("--cases", cases), ("--seed", args.seed),
        ("--timeout", args.timeout if "timeout" in changed else None),
        ("--memory-limit", args.memory_limit), ("--dtype", args.dtype if "dtype" in changed
                                                else None),
        ("--shrink", args.shrink if "shrink" in changed else None)) if value is not None)
    cfg = GradeConfig(functions=tuple(functions), layer=kind, flags=flags, verify={
        "cases": cases, "seed": args.seed, "timeout": timeout, "memory_limit": memory,
        "dtype": args.dtype, "shrink": shrink})
    assignment = {"command": "verify-layer", "layer": kind, "functions": functions,
                  "flags": flags, "file": args.file}
    return cfg, assignment


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def run(args) -> int:
    from crosscheck.grade.classroom import check_out, grade_class
    from crosscheck.grade.submissions import discover, parse_shard, shard

    which = parse_shard(args.shard)
    cfg, assignment = config(args)
    everyone = discover(args.submissions, cfg.functions, file=args.file)
    subs = shard(everyone, which)
    out = check_out(args.out, inputs=(args.submissions,))
    progress = Progress("grade")
    total = len(subs)

    def done(record: dict) -> None:
        done.count += 1
        progress(done.count, total, SimpleNamespace(verdict=record["verdict"]))
    done.count = 0

    report = grade_class(subs, out, cfg, assignment, jobs=args.jobs, done=done,
                         shard=None if which is None else {
                             "index": which[0], "of": which[1], "class_size": len(everyone)})
    print(_summary(report, out))
    return 0


def run_merge(args) -> int:
    from crosscheck.grade.classroom import merge_outputs

    report = merge_outputs(args.dirs, args.out)
    print(_summary(report, args.out))
    return 0


def _summary(report: dict, out) -> str:
    counts = ", ".join(f"{len(f['students'])} {f['finding']}" for f in report["findings"]
                       if f["students"])
    part = (f" (shard {report['shard']['index']}/{report['shard']['of']})"
            if report["shard"] else "")
    lines = [f"graded {report['students']} students{part}: {counts or 'none'}"]
    lines += [f"  {b['id']}: {len(b['students'])} students" for b in report["bugs"]]
    lines.append(f"class report: {os.path.join(str(out), 'class.html')}")
    return "\n".join(lines)
