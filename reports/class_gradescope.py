"""A student's ``results.json`` in Gradescope's autograder format: the score, one test per
network (name, score, max_score, output, visibility) and the feedback text (the summary
``crosscheck verify`` prints, with the diagnosis, and the command that reproduces it)."""

from __future__ import annotations

__all__ = ["render_results"]


def render_results(record: dict, tests: list[dict], *, feedback: str, reproduce: str) -> dict:
    """``record``: the student's class record (``score``, ``max_score``, ``conclusion``);
    ``tests``: ``{"name", "passed", "output"}`` per network."""
    return {
        "score": record["score"],
        "output": f"{feedback}\n\nReproduce on your machine:\n  {reproduce}\n",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [{"name": t["name"], "score": 1 if t["passed"] else 0, "max_score": 1,
                   "output": t["output"], "visibility": "visible"} for t in tests],
    }
