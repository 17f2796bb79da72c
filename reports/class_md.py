"""``class.md``: the class report as Markdown (verdict counts, each catalogued bug with the
students it explains, the unexplained students, every student, the timing)."""

from __future__ import annotations

__all__ = ["checked_as", "render_class_md"]


def checked_as(report: dict) -> str:
    """The command every student was checked with, SUBMISSION standing for their file."""
    a = report["assignment"]
    layer = f" {a['layer']}" if a.get("layer") else ""
    targets = " ".join(f"SUBMISSION:{f}" for f in a["functions"])
    return f"crosscheck {a['command']}{layer} {targets} {a['flags']}".rstrip()


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_class_md(report: dict) -> str:
    n = report["students"]
    lines = ["# Class report", "",
             f"{n} students, {report['passed']} pass. Each was checked as "
             f"`{checked_as(report)}`."]
    if report["shard"]:
        s = report["shard"]
        lines.append(f"This is shard {s['index']}/{s['of']} of a class of {s['class_size']} "
                     f"(`crosscheck merge` joins the shards).")
    lines += ["", "## Verdicts", "", "| finding | students | meaning |", "|---|---:|---|"]
    lines += [f"| {f['finding']} | {len(f['students'])} | {_cell(f['meaning'])} |"
              for f in report["findings"]]
    lines += ["", "## Bugs", ""]
    if report["bugs"]:
        lines += ["| bug | students | who |", "|---|---:|---|"]
        lines += [f"| {b['id']} | {len(b['students'])} | {_cell(', '.join(b['students']))} |"
                  for b in report["bugs"]]
        lines += ["", "`crosscheck explain ID` teaches each one."]
    else:
        lines.append("No catalogued bug was named.")
    lines += ["", "## Unexplained", ""]
    records = {r["name"]: r for r in report["records"]}
    if report["unexplained"]:
        lines.append("Wrong gradients that no catalogued bug explains: read these by hand.")
        lines.append("")
        lines += [f"- {name}: {_cell(records[name]['conclusion'])} "
                  f"(students/{name}/report.md)" for name in report["unexplained"]]
    else:
        lines.append("None.")
    lines += ["", "## Students", "", "| student | verdict | finding | bugs | score |",
              "|---|---|---|---|---:|"]
    lines += [f"| {_cell(r['name'])} | {r['verdict']} | {r['finding']} | "
              f"{_cell(', '.join(r['bugs']))} | {r['score']}/{r['max_score']} |"
              for r in report["records"]]
    lines += ["", "## Timing", "", "| student | seconds |", "|---|---:|"]
    lines += [f"| {_cell(r['name'])} | {r['seconds']:.1f} |" for r in report["records"]]
    lines += ["", f"Wall time of the run: {report['seconds']:.1f} s.", ""]
    return "\n".join(lines)
