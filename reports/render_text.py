"""The one-screen text summary the CLI prints and ``str(crosscheck.verify(...))`` returns."""

from __future__ import annotations

import textwrap
from pathlib import Path

from crosscheck.engine.campaign import CampaignResult

__all__ = ["render_summary"]


SHOWN_LINES = 8  # lines of a network's captured output in the summary (report.json has more)


def _output_lines(text: str) -> list[str]:
    """What the subject printed while this network was checked, indented and truncated."""
    rows = text.rstrip("\n").splitlines()
    shown = [f"      | {r[:120]}" for r in rows[:SHOWN_LINES]]
    more = f" (first {SHOWN_LINES} of {len(rows)} lines)" if len(rows) > SHOWN_LINES else ""
    return [f"    output{more}:", *shown]


def _line_lines(found) -> list[str]:
    """The first wrong line of the user's code (crosscheck/locate), or why none was found."""
    if found["status"] != "found":
        return textwrap.wrap(f"line: none found: {found['reason']}", width=100,
                             initial_indent="    ", subsequent_indent="      ",
                             break_on_hyphens=False)
    first, *rest = found["text"].splitlines()
    return [f"    first wrong line: {first}", *(f"      {r}" for r in rest)]


def render_summary(result: CampaignResult, limit: int = 5, scripts: dict | None = None) -> str:
    """The conclusion, the counts, then the ``limit`` worst failing networks: blame, the worst
    element of up to three failing tensors, the suspects and the reproduction (with the path
    of its script, from ``scripts``: case index -> path, once written)."""
    lines: list[str] = []
    n, fails = len(result.cases), result.failures
    kinks = sum(c.kinks for c in result.cases)
    rate = n / result.seconds if result.seconds else float("inf")
    lines.append(f"{result.subject} vs {', '.join(result.oracles)}: {n} networks, "
                 f"{n - len(fails)} passed, {len(fails)} failed "
                 f"({result.seconds:.1f} s, {rate:.0f} networks/s; seed {result.options.seed})")
    if result.conclusion:
        lines += textwrap.wrap(f"conclusion: {result.conclusion}", width=100,
                               subsequent_indent="  ",
                           break_on_hyphens=False)
    if kinks and result.options.architecture == "cnn":
        lines.append(f"  {kinks} finite-difference coordinate(s) crossed a kink (ReLU, max-pool "
                     f"or SVM hinge) and were excluded")
    elif kinks:
        lines.append(f"  {kinks} finite-difference coordinate(s) crossed a ReLU kink and were "
                     f"excluded")
    conventions: dict[str, list] = {}
    for c in result.cases:
        if getattr(c, "convention", ""):
            conventions.setdefault(c.convention, []).append(c.index)
    for words, which in conventions.items():  # a difference that is no wrong backprop
        strict = any(c.strict for c in result.cases if c.convention == words)
        lines += textwrap.wrap(
            f"warning: convention: {words} (network{'s' if len(which) > 1 else ''} "
            f"{', '.join(map(str, which))})"
            + ("" if strict else "; --strict (strict=True) fails it"),
            width=100, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)
    sampled = [c for c in result.cases if c.fd_mode == "sampled"]
    if sampled:
        lines.append(f"  {len(sampled)} large network(s): finite differences ran directional "
                     f"checks plus a sampled full check "
                     f"({sum(c.fd_checked for c in sampled)} coordinates differenced)")
    # the diagnosed networks first (worst first among them), then the worst of the rest
    for c in sorted(fails, key=lambda c: (not c.suspects, -c.severity))[:limit]:
        lines.append(f"  FAIL case {c.index} [{c.spec.describe()} batch={c.case.batch}] "
                     f"blame: {', '.join(c.blame)}")
        if c.error:
            lines.append(f"    {c.error}")
            if c.error_detail:
                lines.append(c.error_detail)
        if getattr(c, "convention", ""):
            lines.append(f"    only a convention, failed by --strict: {c.convention}")
        for v in c.failing_votes()[:3]:
            worst = max((d for d in v.diffs if not d.ok), key=lambda d: d.max_abs)
            lines.append(f"    {worst.message()}")
        if c.output:
            lines += _output_lines(c.output)
        for rank, s in enumerate(c.suspects[:3], 1):
            lines.append(f"    suspect {rank}: {s.id} ({s.score:.2f}) {s.title}")
            lines += textwrap.wrap(s.evidence, width=100, initial_indent="      ",
                                   subsequent_indent="      ", break_on_hyphens=False)
        if c.line:
            lines += _line_lines(c.line)
        if c.reproduction:
            r = c.reproduction
            script = (scripts or {}).get(c.index)
            where = f" ({Path(script).resolve()})" if script else ""
            what = "smallest failing network" if r.get("shrunk", True) else "reproduce"
            lines.append(f"    {what}: {r['describe']} batch={r['batch']}{where}")
    if len(fails) > limit:
        lines.append(f"  ... and {len(fails) - limit} more failing case(s)")
    for note in result.notes:
        lines += textwrap.wrap(f"note: {note}", width=100, initial_indent="  ",
                               subsequent_indent="    ", break_on_hyphens=False)
    lines.append("verdict: " + ("PASS" if not fails else "FAIL"))
    return "\n".join(lines)
