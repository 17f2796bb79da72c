"""The Python API: ``verify`` a backprop function in one call, or ``assert_backprop`` in a test.

Both take the function object itself and the options of ``crosscheck verify`` as keywords;
the CLI's ``verify`` subcommand runs the same :func:`run_verify`.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from crosscheck.engine.campaign import (
    CampaignOptions,
    CampaignResult,
    case_for,
    network_options,
    run_campaign,
)
from crosscheck.engine.check import CaseResult, check_case
from crosscheck.engine.shrink import attach_reproductions
from crosscheck.engine.tolerances import SubjectTolerance
from crosscheck.errors import UsageError
from crosscheck.oracles.base import DEFAULT_ORACLES, ORACLE_NAMES, OracleUnavailable, get_oracle
from crosscheck.reference import loss_and_grads as reference_loss_and_grads
from crosscheck.reference.spec import ACTIVATIONS, LOSSES
from crosscheck.subject.adapters import DTYPES, LAYOUTS, MIN_LR, MODES, adapt, layout_note
from crosscheck.subject.probe import advise, probe_signature

__all__ = ["VerifyResult", "assert_backprop", "load_oracles", "run_verify", "verify"]

# Failing networks that get a diagnosis (it may re-run the subject): the ones the summary shows.
MAX_DIAGNOSED = 5


@dataclass
class VerifyResult:
    """What :func:`verify` found. ``str(result)`` is the summary ``crosscheck verify`` prints."""

    campaign: CampaignResult
    note: str = ""  # how the report's tensor names map onto the user's layout/mode
    written: list[Path] = field(default_factory=list)
    # the one message when the function cannot take the contract's arguments (no campaign ran)
    unusable: str = ""
    advice: str = ""  # the flags that avoid the network kinds the function raised on

    @property
    def passed(self) -> bool:
        """True when every network was compared and the function agreed on every tensor."""
        return self.campaign.verdict == "pass"

    @property
    def verdict(self) -> str:
        return self.campaign.verdict

    @property
    def cases(self) -> list[CaseResult]:
        """One result per network, in order: ``.verdict``, ``.blame``, ``.votes``, ``.suspects``."""
        return self.campaign.cases

    @property
    def failures(self) -> list[CaseResult]:
        return self.campaign.failures

    @property
    def conclusion(self) -> str:
        """One sentence over every network: all agree, or what the failing ones say together."""
        return self.campaign.conclusion

    def write_report(self, directory: str | Path) -> list[Path]:
        """Write report.json, report.md, report.html, junit.xml and the reproduction scripts
        into ``directory`` (created if needed), all or nothing; returns the paths written."""
        from crosscheck.reports.report_json import report_dict
        from crosscheck.reports.writers import write_report_dir

        directory = Path(directory)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"report directory {directory}: cannot create it ({exc.strerror})") from None
        paths = write_report_dir(report_dict(self.campaign), directory)
        for c in self.campaign.cases:
            if c.reproduction:
                c.reproduction["script_path"] = str((directory / c.reproduction["script_name"]).resolve())
        self.written = paths
        return paths

    def __str__(self) -> str:
        from crosscheck.reports.render_text import render_summary

        if self.unusable:
            return f"{self.unusable}\nverdict: FAIL"
        head = f"({self.note})\n" if self.note and not self.passed else ""
        summary = render_summary(self.campaign)
        if self.advice:  # just above the verdict line
            body, _, verdict = summary.rpartition("\n")
            summary = f"{body}\n{self.advice}\n{verdict}"
        return head + summary

    __repr__ = object.__repr__


def load_oracles(names: Sequence[str]) -> list:
    """The oracle objects for ``names``; a missing framework is a :class:`UsageError`."""
    unknown = [n for n in names if n not in ORACLE_NAMES]
    if unknown or not names:
        raise UsageError(f"unknown oracle {', '.join(map(repr, unknown)) or '(none given)'}; "
                         f"known: {', '.join(ORACLE_NAMES)}")
    try:
        return [get_oracle(n) for n in names]
    except OracleUnavailable as exc:
        raise UsageError(str(exc)) from None


def _names(value, kind: str, known: tuple[str, ...]) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(n.strip() for n in value.split(",")) if isinstance(value, str) else tuple(value)
    unknown = [n for n in names if n not in known]
    if not names or unknown:
        raise UsageError(f"unknown {kind} {', '.join(map(repr, unknown)) or '(none given)'}; "
                         f"known: {', '.join(known)}")
    return names


def _sizes(value) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        sizes = tuple(int(s) for s in value.split("-")) if isinstance(value, str) else tuple(value)
    except ValueError:
        sizes = ()
    if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
        raise UsageError(f"sizes wants at least two positive widths such as 4-16-3, got {value!r}")
    return sizes


def options_for(*, networks: int = 20, seed: int = 0, sizes=None, loss=None,
                hidden_activations=None, l2: float | None = None, batch: int | None = None,
                max_depth: int = 4, max_width: int = 32, scale: float | None = None,
                activations=None, output_activation=None, targets: str = "any",
                edges: bool = True) -> CampaignOptions:
    """The campaign for these keywords, validated (a :class:`UsageError` names the bad one)."""
    for name, v, low in (("networks", networks, 1), ("seed", seed, 0), ("batch", batch, 1),
                         ("max_depth", max_depth, 1), ("max_width", max_width, 1)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < low):
            raise UsageError(f"{name} wants an integer >= {low}, got {v!r}")
    for name, v in (("l2", l2), ("scale", scale)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)
                              or not (0 <= v < float("inf")) or (name == "scale" and v == 0)):
            raise UsageError(f"{name} wants a finite number {'> 0' if name == 'scale' else '>= 0'}, "
                             f"got {v!r}")
    return network_options(
        networks=networks, seed=seed, sizes=_sizes(sizes), losses=_names(loss, "loss", LOSSES),
        activations=_names(activations, "activation", ACTIVATIONS),
        hidden_activations=_names(hidden_activations, "activation", ACTIVATIONS),
        output_activations=_names(output_activation, "activation", ACTIVATIONS),
        targets=targets, l2=None if l2 is None else float(l2), batch=batch,
        max_depth=max_depth, max_width=max_width, scale=None if scale is None else float(scale),
        edges=edges)


def run_verify(fn, label: str, *, layout: str, mode: str, lr: float, timeout: float | None,
               options: CampaignOptions, oracles: Sequence[str], shrink: int,
               tolerance: SubjectTolerance | None = None, subject_import: str | None = None,
               progress=None, dtype: str = "float64") -> VerifyResult:
    """Check ``fn`` on the campaign, diagnose the worst failing networks, shrink them and
    conclude: the work behind both :func:`verify` and ``crosscheck verify``."""
    from crosscheck.diagnosis.conclude import conclude
    from crosscheck.diagnosis.diagnose import diagnose

    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    if not (isinstance(lr, int | float) and not isinstance(lr, bool) and lr >= MIN_LR
            and lr < float("inf")):
        raise UsageError(f"lr wants a finite number >= {MIN_LR:g}, got {lr!r} (a smaller step "
                         f"drowns the inferred gradient in float64 rounding)")
    if dtype not in DTYPES:
        raise UsageError(f"unknown dtype {dtype!r}; choose from {', '.join(DTYPES)}")
    if dtype == "float32" and mode == "update":
        raise UsageError("--dtype float32 applies to --mode grads only (a float32 step's rounding "
                         "of the new weights, ~6e-8 |W| / lr, would swamp the inferred gradient)")
    unusable = probe_signature(fn, layout=layout, mode=mode)
    if unusable:  # before any framework is imported: one message, not one per network
        return _unusable(label, f"{label} {unusable}", options, oracles, layout, mode)
    if dtype == "float32":
        tolerance = replace(tolerance or SubjectTolerance(), dtype="float32")
    parties = load_oracles(tuple(oracles))
    subject = adapt(fn, layout=layout, mode=mode, lr=lr, timeout=timeout, dtype=dtype)
    result = run_campaign(subject, label, parties, options, progress=progress,
                          tolerance=tolerance)

    def rerun(case) -> CaseResult:
        return check_case(case, subject, parties, subject=label, tolerance=tolerance)

    def rerun_lr(other_lr: float):
        def at(case) -> CaseResult:
            step = adapt(fn, layout=layout, mode=mode, lr=other_lr, timeout=timeout)
            return check_case(case, step, parties, subject=label, tolerance=tolerance)
        return at

    for case_result in _to_diagnose(result.failures):
        extra = ({"lr": lr, "rerun_lr": lambda other, c=case_result: rerun_lr(other)(c.case)}
                 if mode == "update" else {})
        case_result.suspects = diagnose(case_result, rerun, **extra)
    if shrink > 0:  # the script calls the user's function again as this run called it
        attach_reproductions(result.cases, subject, parties, max_cases=shrink,
                             subject_import=_absolute(subject_import),
                             call={"layout": layout, "mode": mode, "lr": lr, "dtype": dtype})
    result.conclusion = conclude(result.cases, label)
    return VerifyResult(result, note=layout_note(layout, mode),
                        advice=advise(result.cases, options))


def _unusable(label: str, message: str, options: CampaignOptions, oracles: Sequence[str],
              layout: str, mode: str) -> VerifyResult:
    """A failed verification without a campaign: one case that carries the message, so the
    reports say fail too."""
    case = CaseResult(index=0, case_seed=[options.seed, 0], case=case_for(options, 0),
                      subject=label, oracles=list(oracles), error=message, error_party=label,
                      error_kind="signature")
    result = CampaignResult(options=options, subject=label, oracles=list(oracles), cases=[case])
    result.conclusion = message
    return VerifyResult(result, note=layout_note(layout, mode), unusable=message)


def _absolute(target: str | None) -> str | None:
    """``FILE.py:FUNC`` with FILE made absolute (the script may run from anywhere);
    ``module:FUNC`` as it is."""
    if target is None:
        return None
    where, _, name = target.rpartition(":")
    if where.endswith(".py") or "/" in where or "\\" in where:
        return f"{Path(where).resolve()}:{name}"
    return target


def _to_diagnose(failures: list[CaseResult]) -> list[CaseResult]:
    """The worst numeric failures first, then the worst errors of kinds not yet chosen: a
    function that raises on some networks must not hide what the others measured."""
    worst = sorted(failures, key=lambda c: (-c.severity, c.index))
    numeric = [c for c in worst if not c.error][:MAX_DIAGNOSED]
    # errors that came with a wrong loss too have more to explain: those first
    errors = sorted((c for c in worst if c.error), key=lambda c: (not _loss_also_wrong(c), c.index))
    # one of each kind of error first, then more of them while slots are left
    kinds: dict = {}
    for c in errors:
        kinds.setdefault(c.error_kind, c)
    ordered = list(kinds.values()) + [c for c in errors if c not in kinds.values()]
    return numeric + ordered[:max(2, MAX_DIAGNOSED - len(numeric))]


def _loss_also_wrong(c: CaseResult) -> bool:
    loss = (c.error_data or {}).get("loss")
    if loss is None:
        return False
    ref = reference_loss_and_grads(c.case.params, c.case.X, c.case.Y, c.spec)[0]
    return not (math.isfinite(loss) and abs(loss - ref) <= 1e-9 * max(1.0, abs(ref)))


def _where(fn) -> tuple[str, str | None]:
    """(label, "file.py:qualname" for re-importing it, or None when it cannot be)."""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__
    try:
        source = inspect.getsourcefile(fn)
    except TypeError:
        source = None
    importable = source is not None and "<" not in name and Path(source).is_file()
    label = f"{Path(source).name}:{name}" if source else name
    return label, (f"{Path(source).resolve()}:{name}" if importable else None)


def verify(fn, *, layout: str = "xw", mode: str = "grads", lr: float = 0.1,
           networks: int = 20, seed: int = 0, sizes=None, loss=None, hidden_activations=None,
           l2: float | None = None, batch: int | None = None, max_depth: int = 4,
           max_width: int = 32, scale: float | None = None, activations=None,
           output_activation=None, targets: str = "any", dtype: str = "float64",
           oracles: Sequence[str] = DEFAULT_ORACLES, rtol: float | None = None,
           atol: float | None = None, tolerance_scale: float = 1.0,
           timeout: float | None = 10.0, shrink: int = 5, report: str | Path | None = None
           ) -> VerifyResult:
    """Check a hand-written backprop ``fn`` against the oracles on random networks.

    ``fn(params, X, Y, spec) -> (loss, grads)`` by default (see the contract in
    docs/contract.md); ``layout`` ("xw", "theta", "theta-unrolled") and ``mode`` ("grads",
    "update" with ``lr``) adapt other ways of writing it, and ``dtype="float32"`` a function
    that computes in single precision. The network options are those of ``crosscheck
    verify``: ``sizes`` ("4-16-3" or a tuple), ``loss``, ``activations`` (every layer's, the
    output's included; one name for all), ``hidden_activations`` and ``output_activation``
    (a name, a comma list or a sequence), ``targets`` ("any", "onehot", "soft", "labels"),
    ``l2``, ``batch``, ``max_depth``, ``max_width``, ``scale``; ``None`` draws at random.
    Every network ``i`` is drawn from ``(seed, i)``: same seed, same networks.

    Tolerances: by default each comparison uses the table in
    ``crosscheck.engine.tolerances`` for the oracle compared with (about 1e-9 relative against
    autodiff, 1e-5 against finite differences; the module docstring derives them).
    ``tolerance_scale`` multiplies those; ``rtol``/``atol`` replace them outright:
    an element passes when ``|subject - oracle| <= atol + rtol * |oracle|``.

    Returns a :class:`VerifyResult`: ``.passed``, ``.cases``, ``.conclusion``,
    ``.write_report(dir)``, and ``str()`` gives the CLI's summary. ``report=DIR`` writes the
    reports too. Bad options raise :class:`crosscheck.UsageError` (a ``ValueError``).
    """
    if shrink is None or isinstance(shrink, bool) or not isinstance(shrink, int) or shrink < 0:
        raise UsageError(f"shrink wants a count >= 0, got {shrink!r}")
    if timeout is not None and not (isinstance(timeout, int | float) and 0 < timeout < float("inf")):
        raise UsageError(f"timeout wants a number of seconds > 0 (or None), got {timeout!r}")
    try:
        tolerance = SubjectTolerance(scale=tolerance_scale, rtol=rtol, atol=atol)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    options = options_for(networks=networks, seed=seed, sizes=sizes, loss=loss,
                          hidden_activations=hidden_activations, l2=l2, batch=batch,
                          max_depth=max_depth, max_width=max_width, scale=scale,
                          activations=activations, output_activation=output_activation,
                          targets=targets)
    if not callable(fn):
        raise UsageError(f"verify wants a function, got {type(fn).__name__}")
    label, subject_import = _where(fn)
    result = run_verify(fn, label, layout=layout, mode=mode, lr=lr, timeout=timeout,
                        options=options, oracles=oracles, shrink=shrink,
                        tolerance=None if tolerance.is_default else tolerance,
                        subject_import=subject_import, dtype=dtype)
    if report is not None:
        result.write_report(report)
    return result


def assert_backprop(fn, **options) -> VerifyResult:
    """:func:`verify` ``fn`` and raise ``AssertionError`` unless it passes.

    The message is the failure summary: the conclusion, then for the worst networks the
    tensor, index, both values and the tolerance, who is blamed, the suspects, and how to
    reproduce. Takes the keywords of :func:`verify`; returns the result when it passes."""
    result = verify(fn, **options)
    if not result.passed:
        label, where = _where(fn)
        flags = " ".join(f"--{k.replace('_', '-')} {_flag(v)}" for k, v in options.items()
                         if k in _CLI_FLAGS and v is not None)
        again = (f"\nreproduce: crosscheck verify {where} {flags}".rstrip()
                 if where else f"\nreproduce: crosscheck.verify({label}, **{options!r})")
        raise AssertionError(f"backprop of {label} is wrong\n{result}{again}")
    return result


_CLI_FLAGS = ("layout", "mode", "lr", "networks", "seed", "sizes", "loss", "hidden_activations",
              "l2", "batch", "max_depth", "max_width", "scale", "oracles", "timeout",
              "activations", "output_activation", "targets", "dtype")


def _flag(v) -> str:
    if isinstance(v, list | tuple):
        return ("-" if v and isinstance(v[0], int) else ",").join(map(str, v))
    return str(v)
