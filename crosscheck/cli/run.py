"""``crosscheck run``: the gate. The numpy reference against every oracle on random networks:
MLPs, or with ``--architecture cnn`` CNN-style networks."""

from __future__ import annotations

import sys
from pathlib import Path

from crosscheck.api import MAX_SIZE, VerifyResult, check_cnn_call, check_limits, load_oracles
from crosscheck.api import prepare_report_dir as _prepare
from crosscheck.cli.args import add_network_options, add_output_options, campaign_options
from crosscheck.cli.progress import Progress
from crosscheck.diagnosis.conclude import conclude
from crosscheck.engine.campaign import CampaignResult, run_campaign
from crosscheck.engine.check import UNCOMPARED
from crosscheck.engine.shrink import CNN_NOT_SHRUNK, attach_reproductions
from crosscheck.reference import cnn_loss_and_grads, loss_and_grads
from crosscheck.reports.render_text import render_summary

__all__ = ["add_limit_options", "add_parser", "prepare_report_dir", "print_summary",
           "run", "write_reports"]



def add_parser(sub) -> None:
    p = sub.add_parser("run", help="check the numpy reference against the oracles",
                       description="Check the numpy reference against the oracles on random "
                                   "networks (the CI gate).")
    add_network_options(p, networks=200)
    add_limit_options(p)
    add_output_options(p)
    p.set_defaults(handler=run)


def add_limit_options(p) -> None:
    """--max-size, for run and verify."""
    p.add_argument("--max-size", metavar="N", type=int, default=MAX_SIZE,
                   help=f"refuse networks above N parameters x batch (default {MAX_SIZE:.0e})")


def prepare_report_dir(path: str | None) -> Path | None:
    """Validate --report before any work, so a bad path fails fast with exit 2."""
    return _prepare(path)


def write_reports(result: CampaignResult, directory: Path) -> list[Path]:
    """report.json, report.md, report.html, junit.xml (and repro scripts), all or nothing;
    each reproduction then knows where its script is."""
    return VerifyResult(result).write_report(directory)


def print_summary(result: CampaignResult, out=None) -> None:
    print(render_summary(result), file=sys.stdout if out is None else out)


def run(args) -> int:
    options = campaign_options(args)
    cnn = options.architecture == "cnn"
    if cnn:  # the reference is called as verify calls a CNN function
        check_cnn_call("xw", "grads", "float64", args.oracles)
    check_limits(options, max_size=args.max_size, cli=True)
    report_dir = prepare_report_dir(args.report)
    oracles = load_oracles(args.oracles)
    reference = cnn_loss_and_grads if cnn else loss_and_grads
    result = run_campaign(reference, "reference", oracles, options, progress=Progress("run"))
    if args.shrink > 0 and cnn and result.failures:
        result.notes.append(CNN_NOT_SHRUNK)
    if args.shrink > 0:
        attach_reproductions(result.cases, reference, oracles,
                             subject_import=f"crosscheck.reference:{reference.__name__}",
                             max_cases=args.shrink, skip_kinds=frozenset({UNCOMPARED}))
    result.conclusion = conclude(result.cases, "reference")
    if report_dir is not None:
        for path in write_reports(result, report_dir):
            print(f"wrote {path}", file=sys.stderr)
    print_summary(result)
    return 0 if result.verdict == "pass" else 1
