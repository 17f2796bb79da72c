"""``class.html``: the class report as one self-contained page (inline CSS and SVG, no
script, no network): verdict counts and the bugs as bar charts drawn from the data, the
unexplained students, every student with their verdict, score and time. Every string from
the report goes through :func:`html.escape`."""

from __future__ import annotations

from html import escape

from crosscheck.reports.class_md import checked_as

__all__ = ["bar_chart", "render_class_html"]

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;
 max-width:1100px;color:#1d1d1f;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:6px 0 10px}td,th{border:1px solid #d0d7de;padding:3px 8px;
 text-align:left;vertical-align:top}th{background:#f6f8fa}td.num{text-align:right}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.muted{color:#57606a}
"""

_ROW, _LABEL, _BAR = 22, 220, 420  # px: a bar's height, the label column, the longest bar


def bar_chart(rows: list[tuple[str, int]], *, title: str, color: str = "#0969da") -> str:
    """An inline SVG of horizontal bars, one per (label, count), scaled to the largest count;
    each bar's count is written beside it (and in its <title>)."""
    top = max((k for _, k in rows), default=0) or 1
    height = _ROW * len(rows) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{_LABEL + _BAR + 60}" '
             f'height="{height}" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, k) in enumerate(rows):
        y = 4 + i * _ROW
        w = round(_BAR * k / top)
        parts.append(f'<g class="bar" data-label="{escape(label)}" data-count="{k}">'
                     f'<text x="{_LABEL - 6}" y="{y + 15}" text-anchor="end" '
                     f'font-size="13">{escape(label)}</text>'
                     f'<rect x="{_LABEL}" y="{y + 2}" width="{w}" height="{_ROW - 6}" '
                     f'fill="{color}"><title>{escape(label)}: {k}</title></rect>'
                     f'<text x="{_LABEL + w + 6}" y="{y + 15}" font-size="13">{k}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def render_class_html(report: dict) -> str:
    records = {r["name"]: r for r in report["records"]}
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           "<title>Class report</title>", f"<style>{_CSS}</style></head><body>",
           "<h1>Class report</h1>",
           f"<p>{report['students']} students, {report['passed']} pass. Each was checked as "
           f"<code>{escape(checked_as(report))}</code>.</p>"]
    if report["shard"]:
        s = report["shard"]
        out.append(f"<p class=\"muted\">Shard {s['index']}/{s['of']} of a class of "
                   f"{s['class_size']} (<code>crosscheck merge</code> joins the shards).</p>")
    out.append('<h2 id="verdicts">Verdicts</h2>')
    out.append(bar_chart([(f["finding"], len(f["students"])) for f in report["findings"]],
                         title="students by verdict", color="#57606a"))
    out.append("<table><tr><th>finding</th><th>students</th><th>meaning</th></tr>")
    out += [f"<tr><td>{escape(f['finding'])}</td><td class=\"num\">{len(f['students'])}</td>"
            f"<td>{escape(f['meaning'])}</td></tr>" for f in report["findings"]]
    out.append("</table>")
    out.append('<h2 id="bugs">Bugs</h2>')
    if report["bugs"]:
        out.append(bar_chart([(b["id"], len(b["students"])) for b in report["bugs"]],
                             title="students per catalogued bug", color="#cf222e"))
        out.append("<table><tr><th>bug</th><th>students</th><th>who</th></tr>")
        out += [f"<tr><td><code>{escape(b['id'])}</code></td><td class=\"num\">"
                f"{len(b['students'])}</td><td>{escape(', '.join(b['students']))}</td></tr>"
                for b in report["bugs"]]
        out.append("</table><p class=\"muted\"><code>crosscheck explain ID</code> teaches "
                   "each one.</p>")
    else:
        out.append("<p>No catalogued bug was named.</p>")
    out.append('<h2 id="unexplained">Unexplained</h2>')
    if report["unexplained"]:
        out.append("<p>Wrong gradients that no catalogued bug explains: read these by hand.</p>"
                   "<ul>")
        out += [f"<li><a href=\"{escape(f'students/{name}/report.html')}\"><b>{escape(name)}"
                f"</b></a>: {escape(records[name]['conclusion'])}</li>"
                for name in report["unexplained"]]
        out.append("</ul>")
    else:
        out.append("<p>None.</p>")
    out.append('<h2 id="students">Students</h2>')
    out.append("<table><tr><th>student</th><th>verdict</th><th>finding</th><th>bugs</th>"
               "<th>score</th><th>seconds</th></tr>")
    for r in report["records"]:
        link = f"students/{r['name']}/report.html"
        out.append(f"<tr><td><a href=\"{escape(link)}\">{escape(r['name'])}</a></td>"
                   f"<td class=\"{'pass' if r['verdict'] == 'pass' else 'fail'}\">"
                   f"{escape(r['verdict'])}</td><td>{escape(r['finding'])}</td>"
                   f"<td>{escape(', '.join(r['bugs']))}</td>"
                   f"<td class=\"num\">{r['score']}/{r['max_score']}</td>"
                   f"<td class=\"num\">{r['seconds']:.1f}</td></tr>")
    out.append("</table>")
    out.append(f"<p class=\"muted\">Wall time of the run: {report['seconds']:.1f} s.</p>")
    out.append("</body></html>\n")
    return "\n".join(out)
