"""The machine-readable report: ``report.json``."""

from __future__ import annotations

import json
import platform
from importlib import metadata

from .campaign import CampaignResult
from .engine import CaseResult

__all__ = ["SCHEMA_VERSION", "case_to_dict", "environment", "report_dict", "to_json"]

SCHEMA_VERSION = "1.0"


def environment() -> dict:
    """Versions of what produced the report (excluded when comparing two runs)."""
    versions = {"python": platform.python_version()}
    for dist in ("numpy", "torch", "tensorflow-cpu", "tensorflow", "backprop-crosscheck"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


def case_to_dict(c: CaseResult) -> dict:
    tensors = []
    for v in c.votes:
        tensors.append({
            "tensor": v.tensor,
            "status": v.status,
            "majority": list(v.majority),
            "dissenters": list(v.dissenters),
            "discrepancies": [d.to_dict() for d in v.diffs],
        })
    return {
        "index": c.index,
        "case_seed": c.case_seed,
        "spec": c.spec.to_dict(),
        "batch": c.case.batch,
        "init_scale": c.case.scale,
        "verdict": c.verdict,
        "blame": c.blame,
        "suspects": [s.to_dict() for s in c.suspects],
        "kinks": c.kinks,
        "error": c.error,
        "tensors": tensors,
        "seconds": {k: round(v, 6) for k, v in c.seconds.items()},
    }


def report_dict(result: CampaignResult) -> dict:
    fails = result.failures
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": result.verdict,
        "subject": result.subject,
        "oracles": list(result.oracles),
        "seed": result.options.seed,
        "options": result.options.to_dict(),
        "summary": {
            "networks": len(result.cases),
            "passed": len(result.cases) - len(fails),
            "failed": len(fails),
            "kinks": sum(c.kinks for c in result.cases),
        },
        "environment": environment(),
        "seconds": round(result.seconds, 3),
        "cases": [case_to_dict(c) for c in result.cases],
    }


def to_json(result: CampaignResult) -> str:
    return json.dumps(report_dict(result), indent=1, sort_keys=False) + "\n"
