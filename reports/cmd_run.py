"""``crosscheck run``: the gate. The numpy reference against every oracle on random networks."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from oracles.base import OracleUnavailable, get_oracle
from reference import loss_and_grads

from .campaign import CampaignResult, run_campaign
from .cli_args import UsageError, add_network_options, add_output_options, campaign_options
from .engine import LARGE_NETWORK_PARAMS
from .progress import Progress
from .report_json import report_dict
from .shrink import attach_reproductions, severity
from .writers import write_report_dir

__all__ = ["add_parser", "load_oracles", "prepare_report_dir", "print_summary", "run",
           "write_reports"]


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="check the numpy reference against the oracles",
                       description="Check the numpy reference against the oracles on random "
                                   "networks (the CI gate).")
    add_network_options(p, networks=200)
    add_output_options(p)
    p.set_defaults(handler=run)


def load_oracles(names) -> list:
    try:
        return [get_oracle(n) for n in names]
    except OracleUnavailable as exc:
        raise UsageError(str(exc)) from None


def prepare_report_dir(path: str | None) -> Path | None:
    """Validate --report before any work, so a bad path fails fast with exit 2."""
    if path is None:
        return None
    d = Path(path)
    if d.exists() and not d.is_dir():
        raise UsageError(f"--report {path}: exists and is not a directory")
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--report {path}: cannot create directory ({exc.strerror})") from None
    return d


def write_reports(result: CampaignResult, directory: Path) -> list[Path]:
    """report.json, report.md, report.html, junit.xml (and repro scripts), all or nothing."""
    return write_report_dir(report_dict(result), directory)


def print_summary(result: CampaignResult, out=None, limit: int = 5) -> None:
    out = sys.stdout if out is None else out  # looked up per call, so a redirect is honoured
    n, fails = len(result.cases), result.failures
    kinks = sum(c.kinks for c in result.cases)
    rate = n / result.seconds if result.seconds else float("inf")
    print(f"{result.subject} vs {', '.join(result.oracles)}: {n} networks, "
          f"{n - len(fails)} passed, {len(fails)} failed "
          f"({result.seconds:.1f} s, {rate:.0f} networks/s; seed {result.options.seed})", file=out)
    if kinks:
        print(f"  {kinks} finite-difference coordinate(s) crossed a ReLU kink and were excluded",
              file=out)
    sampled = [c for c in result.cases if c.fd_mode == "sampled"]
    if sampled:
        print(f"  {len(sampled)} network(s) above {LARGE_NETWORK_PARAMS} parameters: finite "
              f"differences ran directional checks plus a sampled full check "
              f"({sum(c.fd_checked for c in sampled)} coordinates differenced)", file=out)
    for c in sorted(fails, key=lambda c: -severity(c))[:limit]:  # worst first
        print(f"  FAIL case {c.index} [{c.spec.describe()} batch={c.case.batch}] "
              f"blame: {', '.join(c.blame)}", file=out)
        if c.error:
            print(f"    {c.error}", file=out)
            if c.error_detail:
                print(c.error_detail, file=out)
        for v in c.failing_votes()[:3]:
            worst = max((d for d in v.diffs if not d.ok), key=lambda d: d.max_abs)
            print(f"    {worst.message()}", file=out)
        for rank, s in enumerate(c.suspects[:3], 1):
            print(f"    suspect {rank}: {s.id} ({s.score:.2f}) {s.title}", file=out)
            print(textwrap.fill(s.evidence, width=100, initial_indent="      ",
                                subsequent_indent="      "), file=out)
        if c.reproduction:
            r = c.reproduction
            print(f"    smallest failing network: {r['describe']} batch={r['batch']} "
                  f"(python {r['script_name']})", file=out)
    if len(fails) > limit:
        print(f"  ... and {len(fails) - limit} more failing case(s)", file=out)
    print("verdict: " + ("PASS" if not fails else "FAIL"), file=out)


def run(args) -> int:
    options = campaign_options(args)
    report_dir = prepare_report_dir(args.report)
    oracles = load_oracles(args.oracles)
    result = run_campaign(loss_and_grads, "reference", oracles, options,
                          progress=Progress("run"))
    if args.shrink > 0:
        attach_reproductions(result.cases, loss_and_grads, oracles,
                             subject_import="reference:loss_and_grads", max_cases=args.shrink)
    if report_dir is not None:
        for path in write_reports(result, report_dir):
            print(f"wrote {path}", file=sys.stderr)
    print_summary(result)
    return 0 if result.verdict == "pass" else 1
