"""``report.html``: one self-contained file (inline CSS and SVG, no script, no network).

For each failing case, worst first: a tensor x oracle error heatmap, the k worst elements
with their indices and both values, a per-layer gradient-norm profile on a log scale (a
vanishing gradient is a line falling towards the bottom), the suspects, and the
reproduction. Every string that comes from a report (subject names, test ids, error messages)
goes through :func:`html.escape`.
"""

from __future__ import annotations

import math
import re
from html import escape

from crosscheck.reports.report_view import (
    as_float,
    case_title,
    failing_worst_first,
    subject_diffs,
    worst_message,
)

__all__ = ["render_html"]

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;
 max-width:1180px;color:#1d1d1f;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:16px;margin:22px 0 6px}h4{font-size:14px;margin:12px 0 4px}
.badge{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600}
.pass{background:#1a7f37}.fail{background:#cf222e}
table{border-collapse:collapse;margin:6px 0 10px}td,th{border:1px solid #d0d7de;padding:3px 8px;
 text-align:left;vertical-align:top}th{background:#f6f8fa}
td.num{text-align:right;font-family:ui-monospace,Menlo,Consolas,monospace}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:8px;overflow-x:auto;white-space:pre}
.case{border:1px solid #d0d7de;border-radius:6px;padding:4px 16px 12px;margin:16px 0}
.grid{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.muted{color:#57606a}.err{color:#cf222e;font-weight:600}
.hl{background:#fff8c5;font-weight:600}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;vertical-align:middle}
"""

_PARTY_COLOURS = ["#cf222e", "#bc4c00", "#0969da", "#1a7f37", "#8250df", "#57606a"]


def _e(x) -> str:
    return escape(str(x), quote=True)


def _fmt(x) -> str:
    v = as_float(x)
    return f"{v:.6g}" if math.isfinite(v) else str(v)


def _heat_colour(rel, ok: bool) -> str:
    """Green when within tolerance; from yellow (1e-9) to dark red (>= 1e-1) beyond it."""
    v = as_float(rel)
    if ok:
        return "#dafbe1"
    if not math.isfinite(v):
        return "#82071e"
    t = min(1.0, max(0.0, (math.log10(max(v, 1e-300)) + 9) / 8))
    return f"rgb({int(255 - 100 * t)},{int(225 - 215 * t)},{int(120 - 90 * t)})"


def _heatmap(rows: list[str], cols: list[str], cell) -> str:
    """A table: one row per tensor, one column per oracle; ``cell(row, col)`` -> (rel, ok) or
    None when that comparison does not exist."""
    out = ["<table class='heat'><tr><th>tensor</th>"
           + "".join(f"<th>vs {_e(c)}</th>" for c in cols) + "</tr>"]
    for r in rows:
        tds = []
        for c in cols:
            v = cell(r, c)
            if v is None:
                tds.append("<td class='num muted'>-</td>")
                continue
            rel, ok = v
            ink = "#fff" if not ok and not as_float(rel) <= 1e-4 else "#1d1d1f"  # NaN: white
            tds.append(f"<td class='num' style='background:{_heat_colour(rel, ok)};color:{ink}' "
                       f"title='relative error norm'>{_fmt(rel) if not ok else 'ok'}</td>")
        out.append(f"<tr><th>{_e(r)}</th>{''.join(tds)}</tr>")
    return "".join(out) + "</table>"


def _campaign_heatmap(report: dict) -> str:
    """Worst relative error of the subject, over all cases, per tensor name and oracle."""
    rows: list[str] = []
    worst: dict[tuple[str, str], tuple[float, bool]] = {}
    for case in report["cases"]:
        for oracle in report["oracles"]:
            for d in subject_diffs(case, oracle):
                if d["tensor"] not in rows:
                    rows.append(d["tensor"])
                rel = as_float(d["rel_norm"])
                rel = math.inf if math.isnan(rel) else rel
                old = worst.get((d["tensor"], oracle), (0.0, True))
                worst[(d["tensor"], oracle)] = (max(old[0], rel) if not d["ok"] else old[0],
                                                old[1] and d["ok"])
    rows.sort(key=_tensor_order)
    return _heatmap(rows, list(report["oracles"]), lambda r, c: worst.get((r, c)))


def _tensor_order(tensor: str) -> tuple:
    """loss first, then by layer number (W2, b2; beta3, gamma3 of a CNN's batchnorm layer)."""
    number = re.fullmatch(r"[A-Za-z]+(\d+)", tensor)
    return (tensor != "loss", int(number.group(1)) if number else 0, tensor)


def _case_heatmap(case: dict, oracles: list[str]) -> str:
    cells = {(d["tensor"], o): (d["rel_norm"], d["ok"]) for o in oracles
             for d in subject_diffs(case, o)}
    rows = [t["tensor"] for t in case["tensors"]]
    return _heatmap(rows, oracles, lambda r, c: cells.get((r, c)))


def _worst_elements(case: dict) -> str:
    parts = []
    for t in case["tensors"]:
        for oracle, elements in (t.get("worst_elements") or {}).items():
            if not elements:
                continue
            rows = "".join(
                f"<tr><td><code>{_e(el['label'])}</code></td><td class='num'>{_fmt(el['subject'])}"
                f"</td><td class='num'>{_fmt(el['oracle'])}</td><td class='num'>"
                f"{as_float(el['abs_diff']):.2e}</td><td>{'kink' if el['kink'] else ''}</td></tr>"
                for el in elements)
            parts.append(f"<div><h4>{_e(t['tensor'])}: {_e(case['subject'])} vs {_e(oracle)} "
                         f"({len(elements)} worst elements)</h4><table><tr><th>element</th>"
                         f"<th>{_e(case['subject'])}</th><th>{_e(oracle)}</th><th>|diff|</th>"
                         f"<th></th></tr>{rows}</table></div>")
            break  # one oracle per tensor is enough to read; all are in report.json
    return f"<div class='grid'>{''.join(parts)}</div>" if parts else ""


def _norm_profile(case: dict) -> str:
    """An inline SVG: log10 ||dW_l|| per layer, one line per party."""
    norms = case.get("grad_norms") or {}
    layers = [t["tensor"] for t in case["tensors"] if t["tensor"] != "loss"]
    if not layers or not norms:
        return ""
    series = {name: [as_float(p.get(t, "nan")) for t in layers] for name, p in norms.items()}
    finite = [v for vals in series.values() for v in vals if math.isfinite(v) and v > 0]
    lo = math.floor(math.log10(min(finite))) if finite else -1
    hi = math.ceil(math.log10(max(finite))) if finite else 1
    hi = max(hi, lo + 1)
    w, h, left, top, bottom = max(460, 40 * len(layers) + 80), 210, 58, 14, 34
    pw, ph = w - left - 16, h - top - bottom

    def x(i: int) -> float:
        return left + (pw * i / (len(layers) - 1) if len(layers) > 1 else pw / 2)

    def y(v: float) -> float:
        lv = math.log10(v) if v > 0 else lo
        return top + ph * (hi - lv) / (hi - lo)

    svg = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' role='img' "
           f"aria-label='gradient norm per layer'>",
           f"<rect x='{left}' y='{top}' width='{pw}' height='{ph}' fill='#fff' stroke='#d0d7de'/>"]
    for d in range(lo, hi + 1):
        yy = y(10.0 ** d)
        svg.append(f"<line x1='{left}' x2='{left + pw}' y1='{yy:.1f}' y2='{yy:.1f}' "
                   f"stroke='#eee'/><text x='{left - 6}' y='{yy + 4:.1f}' font-size='11' "
                   f"text-anchor='end'>1e{d}</text>")
    for i, layer in enumerate(layers):
        svg.append(f"<text x='{x(i):.1f}' y='{top + ph + 16}' font-size='11' "
                   f"text-anchor='middle'>{_e(layer)}</text>")
    svg.append(f"<text x='{left + pw / 2:.1f}' y='{h - 3}' font-size='11' text-anchor='middle' "
               f"fill='#57606a'>layer (input side on the left)</text>")
    legend = []
    for k, (name, vals) in enumerate(series.items()):
        colour = _PARTY_COLOURS[k % len(_PARTY_COLOURS)]
        dash = " stroke-dasharray='5,3'" if k else ""
        pts = [(x(i), y(v)) for i, v in enumerate(vals) if math.isfinite(v)]
        if len(pts) > 1:
            svg.append(f"<polyline fill='none' stroke='{colour}' stroke-width='2'{dash} points='"
                       + " ".join(f"{px:.1f},{py:.1f}" for px, py in pts) + "'/>")
        svg += [f"<circle cx='{px:.1f}' cy='{py:.1f}' r='{4 - min(k, 2)}' fill='{colour}'/>"
                for px, py in pts]
        legend.append(f"<span style='background:{colour}'></span>{_e(name)}")
    svg.append("</svg>")
    return ("<div><h4>Gradient norm per tensor, ||dL/dT||, log scale</h4>" + "".join(svg)
            + f"<div class='legend muted'>{''.join(legend)}</div></div>")


def _suspects(case: dict) -> str:
    if not case["suspects"]:
        return ""
    items = "".join(f"<li><b>{_e(s['id'])}</b> ({_e(s['title'])}, score {as_float(s['score']):.2f})"
                    f": {_e(s['evidence'])}</li>" for s in case["suspects"])
    return f"<h4>Suspects, most likely first</h4><ol>{items}</ol>"


def _regenerate(options: dict | None, case: dict) -> str:
    """Python that regenerates a campaign case from its seed (campaign reports only)."""
    if not options:
        return ""
    args = ", ".join(f"{k}={tuple(v) if isinstance(v, list) else v!r}" for k, v in options.items())
    code = ("from crosscheck.engine.campaign import CampaignOptions, case_for\n"
            f"case = case_for(CampaignOptions({args}), {case['index']})\n"
            "# case.spec, case.params, case.X, case.Y")
    return f"<pre>{_e(code)}</pre>"


def _reproduction(case: dict, options: dict | None) -> str:
    repro = case.get("reproduction")
    seed = ", ".join(str(s) for s in case["case_seed"])
    head = (f"<h4>Reproduction</h4>{_regenerate(options, case)}<p>Case seed "
            f"<code>[{_e(seed)}]</code>, network <code>{_e(case['describe'])}</code>, batch "
            f"{case['batch']}.")
    if not repro:
        return head + "</p>"
    shrunk = repro.get("shrunk", True)
    found = (f" Smallest failing network found: <code>{_e(repro['describe'])}</code>, batch "
             f"{repro['batch']} ({repro['steps']} shrink step(s))." if shrunk else
             " The failing network is not shrunk (the wall-clock safety net had fired).")
    needs = "numpy and crosscheck" if "input_shape" in repro["spec"] else "numpy and torch only"
    return (head + found + f" Run <code>python {_e(repro['script_name'])}</code> (written next "
            f"to this report; needs {needs}).</p><details><summary>the script "
            f"({repro['script'].count(chr(10))} lines)</summary><pre>{_e(repro['script'])}</pre>"
            f"</details>")


def _line(case: dict) -> str:
    """The first wrong line of the user's code, with its neighbours, the line highlighted."""
    found = case.get("line")
    if not found:
        return ""
    if found["status"] != "found":
        return f"<p><b>First wrong line:</b> none found: {_e(found['reason'])}</p>"
    rows = "".join(
        f"<span class='{'hl' if n == found['line'] else 'muted'}'>{n:>5}  {_e(text)}</span>\n"
        for n, text in found.get("context", []))
    last = found.get("last_match")
    after = (f"<p class='muted'>Last line that matched: line {last['line']} "
             f"<code>{_e(last['source'])}</code> equals {_e(last['equals'])}.</p>" if last else "")
    return (f"<div class='line'><p><b>First wrong line:</b> <code>{_e(found['file'])}:"
            f"{found['line']}</code> should equal {_e(found['should_equal'])}: "
            f"{_e(found['detail'])}</p><pre>{rows}</pre>{after}</div>")


def _failing_case(case: dict, oracles: list[str], options: dict | None) -> str:
    failing = [d for t in case["tensors"] for d in t["discrepancies"] if not d["ok"]]
    msgs = "".join(f"<li><code>{_e(worst_message(d))}</code></li>" for d in failing[:6])
    more = f"<li class='muted'>... {len(failing) - 6} more in report.json</li>" if len(failing) > 6 else ""
    error = f"<p class='err'>{_e(case['error'])}</p>" if case["error"] else ""
    return (f"<div class='case' id='{_e(case['name'])}'><h3>{_e(case_title(case))}</h3>"
            f"<p>Blame: <b>{_e(', '.join(case['blame']) or 'nobody')}</b>"
            f"{'; ' + str(case['kinks']) + ' kink coordinate(s) excluded' if case['kinks'] else ''}"
            f"</p>{error}<ul>{msgs}{more}</ul>{_suspects(case)}{_line(case)}"
            f"<div class='grid'><div><h4>Relative error norm, {_e(case['subject'])} vs each "
            f"oracle</h4>{_case_heatmap(case, oracles)}</div>{_norm_profile(case)}</div>"
            f"{_worst_elements(case)}{_reproduction(case, options)}</div>")


def render_html(report: dict, *, limit: int = 20, passing_limit: int = 200) -> str:
    """The whole report as one HTML document (no JavaScript, no external resources)."""
    s = report["summary"]
    verdict = report["verdict"]
    fails = failing_worst_first(report)
    passes = [c for c in report["cases"] if c["verdict"] == "pass"]
    env = ", ".join(f"{_e(k)} {_e(v)}" for k, v in (report.get("environment") or {}).items())
    seed = "" if report["seed"] is None else f"seed {_e(report['seed'])}, "
    body = [
        f"<h1>crosscheck report <span class='badge {verdict}'>{verdict.upper()}</span></h1>",
        f"<p>Subject <code>{_e(report['subject'])}</code> against "
        f"{_e(', '.join(report['oracles']))}: <b>{s['networks']}</b> networks, "
        f"<b>{s['passed']}</b> passed, <b>{s['failed']}</b> failed; {seed}"
        f"{s['kinks']} kink coordinate(s) excluded.</p>",
        *([f"<p><b>Conclusion:</b> {_e(report['conclusion'])}</p>"] if report.get("conclusion") else []),
        *(f"<p class='muted'>Note: {_e(note)}</p>" for note in report.get("notes", [])),
        f"<p class='muted'>schema {_e(report['schema_version'])}; {env}</p>",
        "<h2>Worst relative error per tensor and oracle, over all cases</h2>",
        "<p class='muted'>Green: within tolerance. Yellow to dark red: relative error norm "
        "||a-b|| / (||a||+||b||) from 1e-9 to 1e-1 and beyond.</p>",
        _campaign_heatmap(report),
    ]
    if fails:
        body.append(f"<h2>Failing cases, worst first ({len(fails)})</h2>")
        body += [_failing_case(c, list(report["oracles"]), report.get("options"))
                 for c in fails[:limit]]
        if len(fails) > limit:
            body.append(f"<p class='muted'>... and {len(fails) - limit} more failing case(s) in "
                        "report.json.</p>")
    if passes:
        rows = "".join(f"<tr><td>{_e(c['name'])}</td><td><code>{_e(c['describe'])}</code></td>"
                       f"<td class='num'>{c['batch']}</td><td class='num'>{c['kinks']}</td></tr>"
                       for c in passes[:passing_limit])
        more = (f"<p class='muted'>... and {len(passes) - passing_limit} more.</p>"
                if len(passes) > passing_limit else "")
        body.append(f"<h2>Passing cases ({len(passes)})</h2><table><tr><th>case</th>"
                    f"<th>network</th><th>batch</th><th>kinks</th></tr>{rows}</table>{more}")
    title = f"crosscheck {verdict.upper()}: {report['subject']}"
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")
