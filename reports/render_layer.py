"""The text summary of a layer check (``crosscheck verify-layer``, ``str(verify_layer(...))``)."""

from __future__ import annotations

import textwrap

from crosscheck.reports.render_text import _line_lines

__all__ = ["render_layer_summary"]


def render_layer_summary(result, limit: int = 5, scripts: dict | None = None) -> str:
    """Counts, the conclusion, then the ``limit`` first failing cases with their findings, and
    the shrunk cases (with the path of each one's script, from ``scripts``: case index ->
    path, once written)."""
    n = len(result.cases)
    fails = [c for c in result.cases if c.verdict == "fail"]
    skipped = sum(c.fd_skipped for c in result.cases)
    lines = []
    if result.isolation_off:
        lines.append(f"(isolation off: {result.isolation_off}; it ran in this process)")
    lines.append(f"{result.subject} [{result.kind}] vs torch, tensorflow and finite differences of "
                 f"its own forward: {n} cases, {n - len(fails)} passed, {len(fails)} failed "
                 f"({result.seconds:.1f} s)")
    lines += textwrap.wrap(f"conclusion: {result.conclusion}", width=100, subsequent_indent="  ",
                           break_on_hyphens=False)
    if getattr(result, "stopped", ""):
        lines.append(f"  {result.stopped}")
    if getattr(result, "convention", ""):
        lines += textwrap.wrap(
            f"warning: {result.convention}"
            + ("" if result.strict else "; --strict (strict=True) fails it"),
            width=100, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)
    if getattr(result, "dtype", "float64") == "float32":
        lines.append("  float32: judged with the float32 tolerances; finite differences off (a "
                     "float32 forward's differences measure rounding)")
    if skipped:
        lines.append(f"  {skipped} edge case(s) at ReLU zeros or pooling ties: finite differences "
                     f"skipped there (they measure a chord), torch still compared")
    for c in fails[:limit]:
        lines.append(f"  FAIL case {c.index} [{c.describe}]")
        if c.suspect:
            lines.append(f"    suspect: {c.suspect} (replaying it on this case reproduces it)")
        if getattr(c, "convention", ""):
            lines.append(f"    convention (strict): {c.convention}")
            lines += [f"    {part}: {message}" for part, _, message in c.conventions[:1]]
        if c.error:
            lines.append(f"    {c.error}")
            if c.error_detail:
                lines.append(c.error_detail)
        seen = set()
        for part, tensor, message in c.findings:
            if (part, tensor) in seen:
                continue
            seen.add((part, tensor))
            lines.append(f"    {part}: {message}")
    if len(fails) > limit:
        lines.append(f"  ... and {len(fails) - limit} more failing case(s)")
    for s in getattr(result, "shrunk", []):
        c = s.case
        how = (f"case {s.index} shrunk in {s.steps} step(s), {s.tries} tries" if s.steps else
               f"case {s.index} itself: none of {s.tries - 1} smaller shapes fails the same way"
               if s.tries > 1 else f"case {s.index} itself: every dimension is at its least")
        lines.append(f"  smallest failing case ({how}): [{c.describe}]")
        first = c.error or (c.findings[0][2] if c.findings else "") or (
            f"convention: {c.convention}" if getattr(c, "convention", "") else "")
        if first:
            lines.append(f"    {first}")
        script = (scripts or {}).get(s.index)
        if script:
            lines.append(f"    reproduce: python {script}")
        elif getattr(result, "targets", None):
            lines.append("    (a report directory gets a script that reproduces it: --report DIR, "
                         "or .write_report(DIR))")
    if getattr(result, "line", None):
        lines += _line_lines(result.line)
    lines.append("verdict: " + ("PASS" if not fails else "FAIL"))
    return "\n".join(lines)
