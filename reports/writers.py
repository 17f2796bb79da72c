"""Render a report dict into every format and write them all into one directory, atomically."""

from __future__ import annotations

from pathlib import Path

from crosscheck.reports.atomic import stale_scripts, write_files_atomic
from crosscheck.reports.render_html import render_html
from crosscheck.reports.render_junit import render_junit
from crosscheck.reports.render_md import render_md
from crosscheck.reports.report_json import to_json

__all__ = ["REPORT_FILES", "render_all", "write_report_dir"]

REPORT_FILES = ("report.json", "report.md", "report.html", "junit.xml")


def render_all(report: dict) -> dict[str, str]:
    """File name -> content: the four reports and one reproduction script per shrunk case.
    Pure: raises before anything is written if any renderer fails."""
    files = {
        "report.json": to_json(report),
        "report.md": render_md(report),
        "report.html": render_html(report),
        "junit.xml": render_junit(report),
    }
    for case in report["cases"]:
        repro = case.get("reproduction")
        if repro:
            files[repro["script_name"]] = repro["script"]
    return files


def write_report_dir(report: dict, directory: str | Path) -> list[Path]:
    """Write every file of ``report`` into ``directory``, which then holds this run only: the
    reproduction scripts of an earlier run there are removed as the new files land."""
    files = render_all(report)
    stale = tuple(name for name in stale_scripts(directory) if name not in files)
    return write_files_atomic(directory, files, remove=stale)
