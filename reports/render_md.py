"""``report.md``: short enough to paste into a pull-request comment, worst cases first."""

from __future__ import annotations

from crosscheck.reports.report_view import case_title, failing_diffs, failing_worst_first, worst_message

__all__ = ["render_md"]


def _cell(text) -> str:
    """Markdown text for a table cell: one line, and every character that could start a
    pipe, raw HTML or an entity backslash-escaped (CommonMark shows the character itself), so
    the file reads as plain text and renders the same."""
    s = str(text).replace("\n", " ").replace("\\", "\\\\")
    for ch in "|<>&`*_[]":
        s = s.replace(ch, "\\" + ch)
    return s


def _code(text: str) -> str:
    """Inline code (GitHub shows raw HTML inside code spans as text)."""
    return "`" + str(text).replace("`", "'").replace("\n", " ") + "`"


def render_md(report: dict, *, limit: int = 5) -> str:
    """A one-screen Markdown summary: verdict, counts, then the ``limit`` worst cases."""
    s = report["summary"]
    verdict = "PASS" if report["verdict"] == "pass" else "FAIL"
    seed = "" if report["seed"] is None else f", seed {report['seed']}"
    lines = [
        f"## crosscheck: {verdict}",
        "",
        f"Subject {_code(report['subject'])} against {', '.join(report['oracles'])}: "
        f"**{s['networks']}** networks, **{s['passed']}** passed, **{s['failed']}** failed{seed}.",
    ]
    if report.get("conclusion"):
        lines += ["", f"**Conclusion:** {_cell(report['conclusion'])}"]
    if s["kinks"]:
        cnn = (report.get("options") or {}).get("architecture") == "cnn"
        what = "a kink (ReLU, max-pool or SVM hinge)" if cnn else "a ReLU kink"
        lines.append(f"{s['kinks']} finite-difference coordinate(s) crossed {what} and were "
                     "excluded.")
    lines += [f"\nNote: {_cell(note)}" for note in report.get("notes", [])]
    fails = failing_worst_first(report)
    if fails:
        lines += ["", "| case | network | blame | suspect | worst discrepancy |",
                  "|---|---|---|---|---|"]
        for c in fails[:limit]:
            diffs = failing_diffs(c)
            worst = c["error"] or (worst_message(diffs[0]) if diffs else "")
            suspect = c["suspects"][0]["id"] if c["suspects"] else ""
            lines.append(f"| {_cell(c['name'])} | {_cell(c['describe'])} batch={c['batch']} | "
                         f"{_cell(', '.join(c['blame']))} | {_cell(suspect)} | {_cell(worst)} |")
        if len(fails) > limit:
            lines.append(f"\n... and {len(fails) - limit} more failing case(s): see report.html.")
        worst = fails[0]
        repro = worst.get("reproduction")
        lines += ["", f"Worst case: {_cell(case_title(worst))}."]
        if repro:
            found = ("Smallest failing network found" if repro.get("shrunk", True)
                     else "The failing network, not shrunk")
            lines += [f"{found}: {_code(repro['describe'])} "
                      f"batch={repro['batch']}. Reproduce with {_code('python ' + repro['script_name'])} "
                      "(written next to this report)."]
        line = next((c["line"] for c in fails if c.get("line")), None)
        if line and line["status"] == "found":
            lines += ["", f"First wrong line: {_code(line['text'].splitlines()[0])}"]
        elif line:
            lines += ["", f"First wrong line: none found: {_cell(line['reason'])}"]
        if worst["suspects"]:
            top = worst["suspects"][0]
            lines.append(f"Most likely: **{_cell(top['id'])}** ({_cell(top['title'])}): "
                         f"{_cell(top['evidence'])}")
    return "\n".join(lines) + "\n"
