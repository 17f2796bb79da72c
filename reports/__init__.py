"""Rendering only: report.json (and its schema), report.md, report.html, junit.xml and
reproduction scripts, from the engine's result types; ``writers`` puts them on disk."""
