"""The reports of a layer check (``crosscheck verify-layer --report DIR``): report.json (with
its schema, ``schema/layer-report.schema.json``), report.md, report.html and junit.xml, written
together and atomically, as for networks."""

from __future__ import annotations

import json
from html import escape
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import quoteattr

from crosscheck.reports.atomic import stale_scripts, write_files_atomic
from crosscheck.reports.render_html import _line
from crosscheck.reports.render_md import _cell, _code
from crosscheck.reports.report_json import environment

__all__ = ["LAYER_SCHEMA_VERSION", "layer_report_dict", "load_layer_schema",
           "render_layer_files", "script_name", "write_layer_report_dir"]

# 1.1: shrunk cases and their reproduction scripts, stopped; 1.2: strict, dropout_p,
# convention (and per case convention, conventions), findings of part "shape"; 1.3: line
# (the first wrong line of the pair's code, as report.json's cases[].line of a network)
LAYER_SCHEMA_VERSION = "1.3"


def layer_report_dict(result) -> dict:
    """Everything the check found, as plain data (a :class:`~crosscheck.layers.check.LayerResult`)."""
    return {
        "schema_version": LAYER_SCHEMA_VERSION,
        "report": "layer",
        "verdict": "pass" if result.passed else "fail",
        "conclusion": result.conclusion,
        "subject": result.subject,
        "kind": result.kind,
        "dtype": result.dtype,
        "seed": result.seed,
        "oracles": ["torch", "tensorflow", "fd-of-your-forward"],
        "isolation_off": result.isolation_off,
        "stopped": getattr(result, "stopped", ""),
        "strict": result.strict,
        "dropout_p": result.dropout_p,
        "convention": result.convention,
        "summary": {"cases": len(result.cases),
                    "passed": sum(c.verdict == "pass" for c in result.cases),
                    "failed": sum(c.verdict == "fail" for c in result.cases)},
        "environment": environment(),
        "seconds": round(result.seconds, 3),
        "cases": [{"index": c.index, "describe": c.describe, "verdict": c.verdict,
                   "error": c.error, "suspect": c.suspect, "fd_skipped": c.fd_skipped,
                   "convention": c.convention, "conventions": _findings(c.conventions),
                   "findings": _findings(c.findings)}
                  for c in result.cases],
        "shrunk": [_shrunk(s, result) for s in getattr(result, "shrunk", [])],
        "line": dict(result.line) if getattr(result, "line", None) else None,
    }


def _findings(findings) -> list[dict]:
    return [{"part": p, "tensor": t, "message": m} for p, t, m in findings]


def script_name(index: int) -> str:
    return f"repro_layer_case_{index}.py"


def _shrunk(s, result) -> dict:
    c = s.case
    return {"from_case": s.index, "describe": c.describe, "shape": c.shape.to_dict(),
            "verdict": c.verdict, "error": c.error, "suspect": c.suspect,
            "convention": c.convention, "steps": s.steps,
            "tries": s.tries, "seconds": round(s.seconds, 3),
            "findings": [{"part": p, "tensor": t, "message": m} for p, t, m in c.findings],
            "script": script_name(s.index) if result.targets else None}


def load_layer_schema() -> dict:
    text = resources.files("crosscheck.reports").joinpath("schema/layer-report.schema.json")
    return json.loads(text.read_text("utf-8"))


def _md(report: dict, limit: int = 5) -> str:
    s = report["summary"]
    lines = [f"## crosscheck verify-layer: {report['verdict'].upper()}", "",
             f"Layer {_code(report['kind'])} of {_code(report['subject'])} against torch, "
             f"tensorflow and finite differences of its forward: **{s['cases']}** cases, "
             f"**{s['passed']}** passed, **{s['failed']}** failed, seed {report['seed']}.", "",
             f"**Conclusion:** {_cell(report['conclusion'])}"]
    if report.get("stopped"):
        lines += ["", _cell(report["stopped"]).capitalize() + "."]
    if report.get("convention"):
        lines += ["", f"**Warning:** {_cell(report['convention'])}"
                      + ("" if report.get("strict") else " (`--strict` fails it)")]
    fails = [c for c in report["cases"] if c["verdict"] == "fail"]
    if fails:
        lines += ["", "| case | shapes | suspect | first finding |", "|---|---|---|---|"]
        for c in fails[:limit]:
            first = c["error"] or (c["findings"][0]["message"] if c["findings"] else "") or \
                f"convention: {c.get('convention', '')}"
            lines.append(f"| {c['index']} | {_cell(c['describe'])} | {_cell(c['suspect'])} | "
                         f"{_cell(first)} |")
    line = report.get("line")
    if line and line["status"] == "found":
        lines += ["", f"First wrong line: {_code(line['text'].splitlines()[0])}"]
    elif line:
        lines += ["", f"First wrong line: none found: {_cell(line['reason'])}"]
    for s in report.get("shrunk", []):
        first = s["error"] or (s["findings"][0]["message"] if s["findings"] else "")
        script = f" Reproduce: `python {s['script']}`." if s["script"] else ""
        lines += ["", f"**Smallest failing case** (case {s['from_case']} shrunk in {s['steps']} "
                      f"step(s), {s['tries']} tries): {_cell(s['describe'])}: {_cell(first)}.{script}"]
    return "\n".join(lines) + "\n"


def _html(report: dict) -> str:
    e = escape
    rows = "".join(
        f"<tr class='{c['verdict']}'><td>{c['index']}</td><td>{e(c['describe'])}</td>"
        f"<td>{c['verdict']}</td><td>{e(c['suspect'])}</td><td><ul>"
        + (f"<li>{e(c['error'])}</li>" if c["error"] else "")
        + (f"<li><b>convention</b> {e(c['convention'])}</li>" if c.get("convention") else "")
        + "".join(f"<li><b>{e(f['part'])}</b> {e(f['message'])}</li>" for f in c["findings"])
        + "</ul></td></tr>" for c in report["cases"])
    return ("<!doctype html><html><head><meta charset='utf-8'><title>crosscheck layer report"
            "</title><style>body{font-family:sans-serif;margin:2em}td{vertical-align:top;"
            "padding:.2em .6em;border-bottom:1px solid #ddd}.fail td:nth-child(3){color:#b00}"
            ".hl{background:#fff3b0}.muted{color:#777}"
            "</style></head><body>"
            f"<h1>crosscheck verify-layer {e(report['kind'])}: {report['verdict'].upper()}</h1>"
            f"<p>Subject <code>{e(report['subject'])}</code>, seed {report['seed']}, "
            f"{report['summary']['cases']} cases.</p>"
            f"<p><b>Conclusion:</b> {e(report['conclusion'])}</p>"
            + (f"<p>{e(report['stopped'])}</p>" if report.get("stopped") else "")
            + (f"<p><b>Warning:</b> {e(report['convention'])}</p>" if report.get("convention")
               else "")
            + _line({"line": report.get("line")})
            + "".join(f"<p><b>Smallest failing case</b> (case {s['from_case']} shrunk in "
                      f"{s['steps']} step(s)): {e(s['describe'])}"
                      + (f"; reproduce with <code>python {e(s['script'])}</code>" if s["script"]
                         else "") + "</p>" for s in report.get("shrunk", []))
            + "<table><tr><th>case</th><th>shapes</th><th>verdict</th><th>suspect</th>"
            f"<th>findings</th></tr>{rows}</table></body></html>\n")


def _junit(report: dict) -> str:
    cases = report["cases"]
    failed = sum(c["verdict"] == "fail" for c in cases)
    body = []
    for c in cases:
        name = quoteattr(f"{report['kind']} case-{c['index']} [{c['describe']}]")
        if c["verdict"] == "pass":
            body.append(f"  <testcase classname={quoteattr(report['subject'])} name={name}/>")
            continue
        text = "\n".join([c["error"]] if c["error"] else
                         [f"{f['part']}: {f['message']}" for f in c["findings"]]
                         or [f"convention: {c.get('convention', '')}"])
        body.append(f"  <testcase classname={quoteattr(report['subject'])} name={name}>"
                    f"<failure message={quoteattr(text.splitlines()[0] if text else 'fail')}>"
                    f"{escape(text)}</failure></testcase>")
    return ("<?xml version='1.0' encoding='utf-8'?>\n"
            f"<testsuite name={quoteattr('crosscheck verify-layer ' + report['kind'])} "
            f"tests='{len(cases)}' failures='{failed}'>\n" + "\n".join(body) + "\n</testsuite>\n")


def render_layer_files(report: dict) -> dict[str, str]:
    """File name -> content; pure, so a failing renderer writes nothing."""
    return {"report.json": json.dumps(report, indent=1, allow_nan=False) + "\n",
            "report.md": _md(report), "report.html": _html(report), "junit.xml": _junit(report)}


def write_layer_report_dir(report: dict, directory: str | Path,
                           scripts: dict[str, str] | None = None) -> list[Path]:
    """The four files and the reproduction ``scripts`` (name -> text), all or nothing;
    reproduction scripts of an earlier run there are removed, so the directory holds this run
    only."""
    files = {**render_layer_files(report), **(scripts or {})}
    stale = stale_scripts(directory)
    return write_files_atomic(directory, files, remove=stale)
