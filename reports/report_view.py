"""Read-only views over a report dict shared by the Markdown, HTML and JUnit renderers."""

from __future__ import annotations

import math

__all__ = ["as_float", "case_title", "failing_diffs", "failing_worst_first", "severity", "subject_diffs",
           "worst_message"]


def as_float(x) -> float:
    """A JSON number back to float ("nan"/"inf" strings included)."""
    return float(x) if x is not None else float("nan")


def _rank(x) -> float:
    v = as_float(x)
    return math.inf if math.isnan(v) else v


def subject_diffs(case: dict, oracle: str) -> list[dict]:
    """The discrepancies of the subject against ``oracle``, one per tensor ("loss" first)."""
    out = []
    for t in case["tensors"]:
        for d in t["discrepancies"]:
            if d["b"] == oracle and d["a"] == case["subject"]:
                out.append(d)
    return out


def severity(case: dict) -> float:
    """How bad a case is: an error ranks first, then the largest relative error norm of any
    failing comparison."""
    if case["error"]:
        return math.inf
    return max((_rank(d["rel_norm"]) for t in case["tensors"] for d in t["discrepancies"]
                if not d["ok"]), default=0.0)


def failing_worst_first(report: dict) -> list[dict]:
    fails = [c for c in report["cases"] if c["verdict"] == "fail"]
    return sorted(fails, key=lambda c: (-severity(c), c["index"], c["name"]))


def case_title(case: dict) -> str:
    return f"{case['name']} [{case['describe']} batch={case['batch']}]"


def worst_message(d: dict) -> str:
    """The style-guide failure line, e.g. ``W2[3, 1]: subject=0.0131 torch=0.0262 |diff|=1.3e-02
    > atol 1e-09 + rtol 1e-07*|torch|``."""
    if d.get("problem"):
        return f"{d['tensor']}: {d['a']} vs {d['b']}: {d['problem']}"
    idx = "[" + ", ".join(str(i) for i in d["worst_index"]) + "]" if d["worst_index"] else ""
    a, b = as_float(d["a_value"]), as_float(d["b_value"])
    rel = ">" if not d["ok"] else "<="
    return (f"{d['tensor']}{idx}: {d['a']}={a:.6g} {d['b']}={b:.6g} |diff|={abs(a - b):.2e} "
            f"{rel} atol {d['atol']:.1e} + rtol {d['rtol']:.0e}*|{d['b']}|")


def failing_diffs(case: dict) -> list[dict]:
    """Failing comparisons of a case, worst (largest relative error) first."""
    diffs = [d for t in case["tensors"] for d in t["discrepancies"] if not d["ok"]]
    return sorted(diffs, key=lambda d: -_rank(d["rel_norm"]))
