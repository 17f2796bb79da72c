"""One student graded: their submission checked as ``crosscheck verify`` (or ``verify-layer``)
checks it, in a worker process under the same timeout and memory limit, their report files
written into their own folder, and a plain record of what was found for the class report.

Whatever the student's code does (a syntax error, a missing function, a crash, a hang, a
print, ``os._exit``) ends up in that student's record; nothing here raises for it. What is
wrong for the whole class (a framework missing) is a UsageError, raised.
"""

from __future__ import annotations

import re
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path

from crosscheck.engine.campaign import CampaignOptions
from crosscheck.grade.submissions import Submission

__all__ = ["FINDINGS", "GradeConfig", "finding_of", "grade_student"]

# What a student's code did, one word each, in the order the class report lists them. The
# first that applies is the student's: a wrong gradient a catalogued bug explains, before
# one nothing explains, before the ways a function can misbehave without a wrong number.
FINDINGS = {
    "pass": "agrees with every oracle on every network",
    "bug": "wrong gradients, explained by a catalogued bug",
    "unexplained": "wrong gradients that no catalogued bug explains",
    "hangs": "a call ran past the timeout",
    "ends-process": "ended its own process (sys.exit, os._exit, a signal)",
    "crashes": "its process was killed (memory limit, a crash)",
    "misbehaves": "raised, returned the wrong thing or changed its inputs",
    "does-not-load": "could not be loaded (syntax error, missing function, import error, or "
                     "an exit or a hang while its module was imported)",
}
_PROCESS = {"timeout": "hangs", "exited": "ends-process", "killed": "crashes",
            "memory": "crashes"}


@dataclass(frozen=True)
class GradeConfig:
    """What every student is checked with (one for the whole class: same seed, same networks).
    ``functions``: the function names each submission must define (the target, or a layer's
    forward and backward); ``layer``: the layer kind, or "" for a network assignment;
    ``verify``: the keywords of :func:`crosscheck.api.run_verify` (or of
    :func:`crosscheck.layers.verify.run_layer`) but the target; ``flags``: the command-line
    flags that reproduce the check, after the target."""

    functions: tuple[str, ...]
    layer: str = ""
    verify: dict = field(default_factory=dict)
    flags: str = ""

    @property
    def options(self) -> CampaignOptions | None:
        return self.verify.get("options")

    @property
    def count(self) -> int:
        """Networks (or layer cases) each student is checked on: their maximum score."""
        return self.verify["cases"] if self.layer else self.verify["options"].networks


def grade_student(sub: Submission, cfg: GradeConfig, directory: Path, *, ended: str = "") -> dict:
    """Grade ``sub``: its report files and Gradescope's ``results.json`` go into ``directory``
    (created); returns the student's record for the class report (:func:`_record`).
    ``ended``: the student's code ended the process grading it (it is not run again): the
    words of that verdict, ``ends-process``."""
    from crosscheck.options import flag
    from crosscheck.reports.atomic import write_atomic
    from crosscheck.reports.class_gradescope import render_results
    from crosscheck.reports.report_json import to_json
    from crosscheck.subject.worker import LoadError

    start = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    result, problem = None, sub.problem or ended
    if not problem:
        try:
            result = _check(sub, cfg)
        except LoadError as exc:  # the file does not parse or import, a function is missing
            problem = _one_line(exc.worded(flag))
    if result is None:
        result = _not_loaded(sub, cfg, problem)
    text = _summary(result)
    tests = _tests(result, cfg) if not problem else [
        {"name": f"{'case' if cfg.layer else 'network'} {i}", "passed": False, "output": problem}
        for i in range(cfg.count)]
    result.write_report(directory)
    record = _record(sub, cfg, result, problem, time.perf_counter() - start)
    if ended and not sub.problem:
        record["finding"] = "ends-process"
    write_atomic(directory / "results.json",
                 to_json(render_results(record, tests, feedback=text,
                                        reproduce=reproduce_command(sub, cfg))))
    return record


def reproduce_command(sub: Submission, cfg: GradeConfig) -> str:
    """The command that checks this student alone, as the class was checked."""
    path = sub.path or f"{sub.name}/"
    targets = " ".join(shlex.quote(f"{path}:{f}") for f in cfg.functions)
    if cfg.layer:
        return f"crosscheck verify-layer {cfg.layer} {targets} {cfg.flags}".rstrip()
    return f"crosscheck verify {targets} {cfg.flags}".rstrip()


def _label(sub: Submission, cfg: GradeConfig) -> str:
    return f"{sub.name}:{cfg.functions[0]}"


def _check(sub: Submission, cfg: GradeConfig):
    if cfg.layer:
        from crosscheck.layers.verify import run_layer

        forward, *backward = (f"{sub.path}:{f}" for f in cfg.functions)
        return run_layer(cfg.layer, forward, backward[0] if backward else None,
                         _label(sub, cfg).removesuffix("_forward"), **cfg.verify)
    from crosscheck.api import run_verify

    target = f"{sub.path}:{cfg.functions[0]}"
    return run_verify(target, _label(sub, cfg), subject_import=target, **cfg.verify)


def _not_loaded(sub: Submission, cfg: GradeConfig, problem: str):
    """A failed result carrying ``problem``, so the student's reports say fail too."""
    if cfg.layer:
        from crosscheck.layers.check import LayerCase, LayerResult
        from crosscheck.layers.verify import LayerVerification

        case = LayerCase(index=0, describe="", error=problem, error_kind="signature")
        return LayerVerification(LayerResult(kind=cfg.layer, subject=_label(sub, cfg),
                                             cases=[case], seed=cfg.verify.get("seed", 0)))
    from crosscheck.api import _unusable

    v = cfg.verify
    return _unusable(_label(sub, cfg), f"{_label(sub, cfg)} {problem}", v["options"],
                     v["oracles"], v["layout"], v["mode"])


def _summary(result) -> str:
    """The summary ``verify`` prints, without its timing (so that the same seed gives the
    same feedback on a busy machine)."""
    text = re.sub(r"\(\d+(?:\.\d+)? s(?:, [^;()]*)?; ", "(", str(result))  # verify's
    return re.sub(r" \(\d+(?:\.\d+)? s\)", "", text)  # verify-layer's


def _one_line(text: str) -> str:
    return " ".join(text.split())


def finding_of(cases: list[dict], bugs: list[str], loaded: bool) -> str:
    """The student's :data:`FINDINGS` key, from their cases (``verdict``, ``error``,
    ``error_kind``) and the catalogued bugs named."""
    fails = [c for c in cases if c["verdict"] == "fail"]
    if not loaded or (fails and all(c.get("during") == "import" for c in fails)):
        return "does-not-load"  # the module never finished importing: no network was checked
    if not fails:
        return "pass"
    if bugs:
        return "bug"
    if any(not c["error"] for c in fails):
        return "unexplained"
    kinds = {_PROCESS.get(c["error_kind"], "misbehaves") for c in fails}
    return next(k for k in FINDINGS if k in kinds)


def _cases(result) -> list[dict]:
    return [{"verdict": c.verdict, "error": c.error or "", "error_kind": c.error_kind or "",
             "during": (getattr(c, "error_data", None) or {}).get("during", "")}
            for c in result.cases]


def _bugs(result, cfg: GradeConfig) -> list[str]:
    """The catalogued bugs the diagnosed cases name, most often first."""
    if cfg.layer:
        named: dict[str, int] = {}
        for c in result.cases:
            if c.verdict == "fail" and c.suspect:
                named[c.suspect] = named.get(c.suspect, 0) + 1
        return [k for k, _ in sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))]
    from crosscheck.diagnosis.conclude import findings

    return [pid for pid, _ in findings(result.cases).named]


def _record(sub: Submission, cfg: GradeConfig, result, problem: str, seconds: float) -> dict:
    cases = _cases(result)
    bugs = _bugs(result, cfg) if not problem else []
    passed = sum(c["verdict"] == "pass" for c in cases)
    return {
        "name": sub.name,
        "submission": sub.path,
        "verdict": "pass" if result.passed else "fail",
        "finding": finding_of(cases, bugs, not problem),
        "bugs": bugs,
        "conclusion": problem or result.conclusion,
        "score": passed,
        "max_score": cfg.count,
        "reproduce": reproduce_command(sub, cfg),
        "seconds": round(seconds, 3),
    }


def _tests(result, cfg: GradeConfig) -> list[dict]:
    """One Gradescope test per network (or layer case): its name, passed, and what failed."""
    tests = []
    for c in result.cases:
        if cfg.layer:
            name = f"case {c.index} [{c.describe}]" if c.describe else f"case {c.index}"
            words = [c.error] if c.error else [f"{part} {tensor}: {why}"
                                               for part, tensor, why in c.findings[:3]]
            if c.suspect:
                words.append(f"suspect: {c.suspect}")
        else:
            name = f"network {c.index} [{c.spec.describe()} batch={c.case.batch}]"
            words = [c.error] if c.error else []
            for v in c.failing_votes()[:3]:
                worst = max((d for d in v.diffs if not d.ok), key=lambda d: d.max_abs)
                words.append(worst.message())
            if c.suspects:
                s = c.suspects[0]
                words.append(f"suspect: {s.id} ({s.title})")
            if c.output:
                words.append("printed:\n" + c.output)
        tests.append({"name": name, "passed": c.verdict == "pass", "output": "\n".join(words)})
    return tests
