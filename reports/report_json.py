"""The machine-readable report: ``report.json``, documented by ``schema/report.schema.json``.

Versioning: ``schema_version`` is "MAJOR.MINOR". A MINOR bump only adds optional fields;
a MAJOR bump removes or changes the meaning of a field. Readers should check MAJOR.

Every renderer (Markdown, HTML, JUnit) reads this dict, not the live objects, so a report
merged from pytest-xdist workers renders exactly like one from ``crosscheck run``.
"""

from __future__ import annotations

import json
import math
import platform
from importlib import metadata, resources

import numpy as np
from crosscheck.reports.repro import reproduction_script

from crosscheck.engine.campaign import CampaignResult
from crosscheck.engine.check import CaseResult
from crosscheck.engine.compare import format_index

__all__ = ["SCHEMA_VERSION", "VOLATILE_KEYS", "WORST_K", "case_to_dict", "environment",
           "load_schema", "merged_report", "report_dict", "strip_volatile", "to_json"]

SCHEMA_VERSION = "1.5"

# Keys whose values differ between two runs with the same seed (wall-clock timings and the
# versions of what produced the report): removed, at any depth, before comparing two reports.
VOLATILE_KEYS = frozenset({"seconds", "environment"})

WORST_K = 8  # elements listed per failing tensor and oracle


def environment() -> dict:
    """Versions of what produced the report (excluded when comparing two runs)."""
    versions = {"python": platform.python_version()}
    for dist in ("numpy", "torch", "tensorflow-cpu", "tensorflow", "backprop-crosscheck"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


def load_schema() -> dict:
    """The JSON Schema (draft 2020-12) that every ``report.json`` validates against."""
    text = resources.files("crosscheck.reports").joinpath("schema/report.schema.json").read_text("utf-8")
    return json.loads(text)


def _num(x) -> float | str:
    """A float for JSON: NaN and Inf become the strings "nan", "inf", "-inf"."""
    x = float(x)
    return x if math.isfinite(x) else repr(x)


def _worst_elements(subject, oracle, tensor: str, k: int) -> list[dict]:
    """The k elements of ``tensor`` where subject and oracle differ most, each with its index
    and both values (never an elided tensor)."""
    if tensor == "loss":
        a, b = np.asarray(subject.loss, dtype=float), np.asarray(oracle.loss, dtype=float)
    else:
        a, b = subject.grads.get(tensor), oracle.grads.get(tensor)
        if a is None or b is None or a.shape != b.shape:
            return []
    with np.errstate(invalid="ignore"):
        diff = np.abs(a - b).ravel()
    rank = np.where(np.isnan(diff), np.inf, diff)
    order = np.argsort(-rank, kind="stable")[:k]
    kink = oracle.kinks.get(tensor) if tensor != "loss" else None
    out = []
    for flat in order:
        idx = np.unravel_index(int(flat), a.shape) if a.ndim else ()
        out.append({
            "index": [int(i) for i in idx],
            "label": f"{tensor}{format_index(tuple(int(i) for i in idx))}",
            "subject": _num(a[idx]), "oracle": _num(b[idx]), "abs_diff": _num(diff[flat]),
            "kink": bool(kink[idx]) if kink is not None else False,
        })
    return out


def _grad_norms(c: CaseResult) -> dict:
    """Per party, the L2 norm of each gradient tensor: the per-layer profile of the report."""
    return {p.name: {t: _num(np.linalg.norm(g)) for t, g in p.grads.items()} for p in c.parties}


def _reproduction(c: CaseResult) -> dict | None:
    """The shrinker's findings plus the standalone script rendered from the shrunk case."""
    if c.reproduction is None or c.shrunk is None:
        return None
    r = {k: v for k, v in c.reproduction.items()
         if k not in ("title", "subject_import", "call", "error")}
    small, recorded = c.shrunk
    r["script"] = reproduction_script(small, subject=c.subject, recorded=recorded,
                                      subject_import=c.reproduction.get("subject_import"),
                                      title=c.reproduction.get("title", f"case-{c.index}"),
                                      call=c.reproduction.get("call"),
                                      error=c.reproduction.get("error", ""), line=c.line)
    return r


def case_to_dict(c: CaseResult, *, name: str | None = None, k: int = WORST_K) -> dict:
    subject = c.parties[0] if c.parties and c.parties[0].kind == "subject" else None
    others = {p.name: p for p in c.parties[1:]}
    tensors = []
    for v in c.votes:
        entry = {
            "tensor": v.tensor,
            "status": v.status,
            "majority": list(v.majority),
            "dissenters": list(v.dissenters),
            "discrepancies": [d.to_dict() for d in v.diffs],
        }
        if not v.ok and subject is not None:
            entry["worst_elements"] = {}
            for d in v.diffs:
                if d.a == subject.name and not d.ok and d.b in others:
                    entry["worst_elements"][d.b] = _worst_elements(subject, others[d.b],
                                                                   v.tensor, k)
        tensors.append(entry)
    return {
        "index": c.index,
        "name": name if name is not None else f"case-{c.index}",
        "subject": c.subject,
        "oracles": list(c.oracles),
        "case_seed": list(c.case_seed),
        "spec": c.spec.to_dict(),
        "describe": c.spec.describe(),
        "batch": c.case.batch,
        "init_scale": c.case.scale,
        "verdict": c.verdict,
        "blame": c.blame,
        "convention": c.convention,  # a subgradient convention at a kink: a warning, or strict
        "suspects": [s.to_dict() for s in c.suspects],
        "kinks": c.kinks,
        "fd_refined": c.fd_refined,
        "fd_mode": c.fd_mode,
        "fd_checked": c.fd_checked,
        "skipped": dict(c.skipped),
        "error": c.error,
        "error_kind": c.error_kind,
        "error_detail": c.error_detail,
        **({"output": c.output} if c.output else {}),
        "tensors": tensors,
        "grad_norms": _grad_norms(c),
        "reproduction": _reproduction(c),
        **({"line": _line(c.line)} if c.line else {}),
        "seconds": {k: round(v, 6) for k, v in c.seconds.items()},
    }


def _line(found) -> dict:
    """The first wrong line of the user's code (crosscheck/locate) as plain JSON."""
    out = {k: v for k, v in found.items() if k not in ("last_match", "context")}
    if "context" in found:
        out["context"] = [[int(n), str(t)] for n, t in found["context"]]
    if found.get("last_match") is not None:
        out["last_match"] = dict(found["last_match"])
    elif found.get("status") == "found":
        out["last_match"] = None
    return out


def merged_report(cases: list[dict], *, subject: str, oracles: list[str], seed: int | None,
                  options: dict | None = None, seconds: float = 0.0, conclusion: str = "",
                  notes: list[str] | None = None, safety_net: dict | None = None) -> dict:
    """A whole report from case dicts (a campaign, or records merged from pytest workers).
    ``notes`` (what the campaign could not do, and why) appear only when there are any;
    ``safety_net`` (the re-runs' wall-clock limit and whether it fired) when re-runs ran."""
    failed = sum(c["verdict"] == "fail" for c in cases)
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": "fail" if failed else "pass",
        "conclusion": conclusion,
        "subject": subject,
        "oracles": list(oracles),
        "seed": seed,
        "options": options,
        "summary": {
            "networks": len(cases),
            "passed": len(cases) - failed,
            "failed": failed,
            "kinks": sum(c["kinks"] for c in cases),
        },
        "environment": environment(),
        "seconds": round(seconds, 3),
        **({"notes": list(notes)} if notes else {}),
        **({"safety_net": dict(safety_net)} if safety_net is not None else {}),
        "cases": cases,
    }


def report_dict(result: CampaignResult) -> dict:
    return merged_report([case_to_dict(c) for c in result.cases], subject=result.subject,
                         oracles=list(result.oracles), seed=result.options.seed,
                         options=result.options.to_dict(), seconds=result.seconds,
                         conclusion=result.conclusion, notes=result.notes,
                         safety_net=result.safety_net)


def to_json(report: CampaignResult | dict) -> str:
    d = report if isinstance(report, dict) else report_dict(report)
    return json.dumps(d, indent=1, sort_keys=False, allow_nan=False) + "\n"


def strip_volatile(obj):
    """A copy of a report with every :data:`VOLATILE_KEYS` entry removed, at any depth."""
    if isinstance(obj, dict):
        return {k: strip_volatile(v) for k, v in obj.items() if k not in VOLATILE_KEYS}
    if isinstance(obj, list):
        return [strip_volatile(v) for v in obj]
    return obj
