"""``junit.xml``: one test case per network x oracle, for CI dashboards.

A test case fails when the subject disagrees with that oracle on any tensor (or the subject
produced nothing to compare). The failure message is the worst discrepancy line.
"""

from __future__ import annotations

from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr

from crosscheck.reports.report_view import subject_diffs, worst_message

__all__ = ["render_junit"]


def _escape(text: str) -> str:
    # XML 1.0 forbids most control characters even when escaped
    clean = "".join(ch for ch in str(text) if ch in "\t\n\r" or ord(ch) >= 0x20)
    return _xml_escape(clean)


def _attr(text) -> str:
    return quoteattr("".join(ch for ch in str(text) if ch in "\t\n\r" or ord(ch) >= 0x20))


def render_junit(report: dict) -> str:
    cases = []
    failures = 0
    for case in report["cases"]:
        for oracle in case.get("oracles", report["oracles"]):
            name = f"{case['name']} [{case['describe']} batch={case['batch']}] vs {oracle}"
            diffs = subject_diffs(case, oracle)
            bad = [d for d in diffs if not d["ok"]]
            seconds = case.get("seconds", {}).get(oracle, 0.0)
            head = (f"<testcase classname={_attr('crosscheck.' + report['subject'])} "
                    f"name={_attr(name)} time=\"{seconds:.6f}\"")
            if case["error"] or bad:
                failures += 1
                message = case["error"] or worst_message(bad[0])
                detail = "\n".join([case["error"]] if case["error"] else
                                   [worst_message(d) for d in bad])
                detail += f"\nblame: {', '.join(case['blame'])}; case seed {case['case_seed']}"
                cases.append(f"{head}><failure message={_attr(message)} type=\"discrepancy\">"
                             f"{_escape(detail)}</failure></testcase>")
            else:
                cases.append(f"{head}/>")
    total = len(cases)
    suite = (f"<testsuite name={_attr('crosscheck ' + report['subject'])} tests=\"{total}\" "
             f"failures=\"{failures}\" errors=\"0\" skipped=\"0\" "
             f"time=\"{float(report.get('seconds', 0.0)):.3f}\">")
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            f"<testsuites tests=\"{total}\" failures=\"{failures}\" errors=\"0\">\n{suite}\n"
            + "\n".join(cases) + "\n</testsuite>\n</testsuites>\n")
