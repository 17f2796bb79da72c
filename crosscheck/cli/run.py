"""``crosscheck run``: the gate. The numpy reference against every oracle on random networks:
MLPs, or with ``--architecture cnn`` CNN-style networks."""

from __future__ import annotations

import sys
from dataclasses import replace

from crosscheck.api import VerifyResult, check_cnn_call, check_limits
from crosscheck.cli.args import add_network_options, add_output_options, campaign_options
from crosscheck.cli.progress import Progress
from crosscheck.diagnosis.conclude import conclude
from crosscheck.engine.campaign import CampaignResult, run_campaign
from crosscheck.engine.check import UNCOMPARED
from crosscheck.engine.shrink import attach_reproductions
from crosscheck.oracles.base import DEFAULT_ORACLES
from crosscheck.reference import cnn_loss_and_grads, loss_and_grads
from crosscheck.reports.render_text import render_summary
from crosscheck.runner import load_oracles, prepare_report_dir

__all__ = ["add_parser", "print_summary", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="check the numpy reference against the oracles",
                       description="Check the numpy reference against the oracles on random "
                                   "networks (the CI gate).")
    add_network_options(p, networks=200)
    add_output_options(p)
    # the reference gate asks all three oracles; verify's default is torch and fd
    p.set_defaults(handler=run, oracles=DEFAULT_ORACLES)


def print_summary(result: CampaignResult, out=None) -> None:
    print(render_summary(result), file=sys.stdout if out is None else out)


def run(args) -> int:
    options = campaign_options(args)
    cnn = options.architecture == "cnn"
    if cnn:  # the reference is called as verify calls a CNN function
        check_cnn_call("xw", "grads", "float64", args.oracles)
    check_limits(options, max_size=args.max_size)
    report_dir = prepare_report_dir(args.report)
    oracles = load_oracles(args.oracles)
    reference = cnn_loss_and_grads if cnn else loss_and_grads
    result = run_campaign(reference, "reference", oracles, options, progress=Progress("run"))
    if args.shrink > 0:
        result = replace(result, cases=attach_reproductions(
            result.cases, reference, oracles, max_cases=args.shrink,
            subject_import=f"crosscheck.reference:{reference.__name__}",
            skip_kinds=frozenset({UNCOMPARED})))
    checked = VerifyResult(replace(result, conclusion=conclude(result.cases, "reference")))
    if report_dir is not None:
        for path in checked.write_report(report_dir):
            print(f"wrote {path}", file=sys.stderr)
    print(checked)
    return 0 if checked.passed else 1
