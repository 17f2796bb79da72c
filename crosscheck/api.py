"""The Python API: ``verify`` a backprop function in one call, or ``assert_backprop`` in a test.

Both take the function object itself and the options of ``crosscheck verify`` as keywords;
the CLI's ``verify`` subcommand runs the same :func:`run_verify`. The user's function runs in
a worker process (crosscheck/subject/worker.py): the API hands the worker the function's
source file and qualified name, and what cannot be re-imported from there (a lambda, a
closure, a method, a function typed into a notebook) runs in this process instead, which the
result says.
"""

from __future__ import annotations

import inspect
import math
import os
import shlex
import sys
import tempfile
import time
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
from crosscheck.engine.check import UNCOMPARED, CaseResult, check_case
from crosscheck.engine.shrink import CNN_NOT_SHRUNK, attach_reproductions
from crosscheck.engine.tolerances import SubjectTolerance
from crosscheck.errors import UsageError
from crosscheck.oracles.base import DEFAULT_ORACLES, ORACLE_NAMES, OracleUnavailable, get_oracle
from crosscheck.reference import cnn_loss_and_grads
from crosscheck.reference import loss_and_grads as reference_loss_and_grads
from crosscheck.reference.cnn_spec import is_cnn
from crosscheck.reference.sampling import random_case
from crosscheck.reference.spec import ACTIVATIONS, LOSSES
from crosscheck.subject.adapters import DTYPES, LAYOUTS, MIN_LR, MODES, adapt, layout_note
from crosscheck.subject.probe import advise, probe_signature
from crosscheck.subject.worker import (
    PROCESS_KINDS,
    LoadError,
    SubjectWorker,
    in_worker,
    parse_memory_limit,
)

__all__ = ["MAX_L2", "MAX_SCALE", "MAX_SIZE", "VerifyResult", "assert_backprop", "check_limits",
           "check_cnn_call", "check_timeout", "load_oracles", "prepare_report_dir", "run_verify", "verify"]

# Failing networks that get a diagnosis (it may re-run the subject): the ones the summary shows.
MAX_DIAGNOSED = 5
# After the campaign, the diagnosis and then the shrinker re-run the subject; together they
# get at least this many seconds, or as long as the campaign took, whichever is longer.
RERUN_SECONDS = 20.0
# The largest network, as parameters x batch, a campaign takes without being told otherwise
# (--max-size): 784-256-256-10 at batch 256 is 6.9e7. One float64 copy of such a network's
# activations or parameters is under a gigabyte; every oracle makes a few.
MAX_SIZE = 10**8
TIMEOUT_RANGE = (0.01, 86400.0)  # seconds per call: from 10 ms to one day
# Init scale and L2 penalty beyond which a campaign means nothing, measured with a correct
# function (tests/subjects/class_layers.py) and a bias bug, all three oracles: at scale 300
# 40 of 40 networks pass, at 1e3 correct code fails 1 of 20 (logits in the thousands overflow
# exp() and fd's differences); the tolerance table is calibrated up to scale 8. At l2 = 1e8
# the bias bug still fails 18 of 20 networks, at 1e12 it passes all 20: the penalty swamps the
# loss, and the loss term of the tolerance hides the biases. 1e300 overflows float64.
MAX_SCALE = 100.0
MAX_L2 = 1e6


@dataclass
class VerifyResult:
    """What :func:`verify` found. ``str(result)`` is the summary ``crosscheck verify`` prints."""

    campaign: CampaignResult
    note: str = ""  # how the report's tensor names map onto the user's layout/mode
    written: list[Path] = field(default_factory=list)
    # the one message when the function cannot take the contract's arguments (no campaign ran)
    unusable: str = ""
    advice: str = ""  # the flags that avoid the network kinds the function raised on
    # "" when the function ran in a worker process; otherwise why it ran in this one
    isolation_off: str = ""

    @property
    def isolated(self) -> bool:
        """True when the function ran in a worker process, under its hard limits."""
        return not self.isolation_off

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
        try:
            paths = write_report_dir(report_dict(self.campaign), directory)
        except OSError as exc:  # a directory where a script goes, a full disk: nothing written
            raise UsageError(f"report directory {directory}: cannot write "
                             f"{Path(exc.filename or '').name or 'it'} ({exc.strerror})") from None
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
        if self.isolation_off:
            head = (f"(isolation off: {self.isolation_off}; it ran in this process, without the "
                    f"worker's hard limits)\n") + head
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
                edges: bool = True, architecture: str | None = None,
                cnn: str | None = None) -> CampaignOptions:
    """The campaign for these keywords, validated (a :class:`UsageError` names the bad one).
    ``cnn`` (one CNN in the summary's words) implies ``architecture="cnn"``, which takes
    ``networks``, ``seed``, ``batch`` and ``l2`` only."""
    for name, v, low in (("networks", networks, 1), ("seed", seed, 0), ("batch", batch, 1),
                         ("max_depth", max_depth, 1), ("max_width", max_width, 1)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < low):
            raise UsageError(f"{name} wants an integer >= {low}, got {v!r}")
    for name, v in (("l2", l2), ("scale", scale)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)
                              or not (0 <= v < float("inf")) or (name == "scale" and v == 0)):
            raise UsageError(f"{name} wants a finite number {'> 0' if name == 'scale' else '>= 0'}, "
                             f"got {v!r}")
    if cnn is not None and architecture == "mlp":
        raise UsageError("cnn describes a CNN-style network: drop architecture=\"mlp\"")
    if architecture not in (None, "mlp", "cnn"):
        raise UsageError(f"unknown architecture {architecture!r}; known: mlp, cnn")
    if cnn is not None or architecture == "cnn":
        mlp = {"sizes": sizes, "loss": loss, "hidden_activations": hidden_activations,
               "scale": scale, "activations": activations,
               "output_activation": output_activation,
               "targets": None if targets == "any" else targets,
               "max_depth": None if max_depth == 4 else max_depth,
               "max_width": None if max_width == 32 else max_width}
        given = [name for name, v in mlp.items() if v is not None]
        if given:
            raise UsageError(f"{given[0]} describes MLP networks; a CNN campaign takes "
                             f"networks, seed, batch, l2 and cnn")
        if cnn is not None and not isinstance(cnn, str):
            raise UsageError(f"cnn wants the network in words, e.g. '3x8x8 conv(4,3x3,s1,p1)-"
                             f"relu-max(2,s2)-affine(10)', got {cnn!r}")
        return CampaignOptions(architecture="cnn", networks=networks, seed=seed, batch=batch,
                               l2=None if l2 is None else float(l2), cnn=cnn)
    return network_options(
        networks=networks, seed=seed, sizes=_sizes(sizes), losses=_names(loss, "loss", LOSSES),
        activations=_names(activations, "activation", ACTIVATIONS),
        hidden_activations=_names(hidden_activations, "activation", ACTIVATIONS),
        output_activations=_names(output_activation, "activation", ACTIVATIONS),
        targets=targets, l2=None if l2 is None else float(l2), batch=batch,
        max_depth=max_depth, max_width=max_width, scale=None if scale is None else float(scale),
        edges=edges)


def _name(name: str, cli: bool) -> str:
    return f"--{name.replace('_', '-')}" if cli else name


def check_timeout(value, *, cli: bool = False) -> float | None:
    """``value`` as seconds per call, within :data:`TIMEOUT_RANGE` (None: no limit, API only)."""
    low, high = TIMEOUT_RANGE
    if value is None and not cli:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if isinstance(value, bool) or not (low <= seconds <= high):
        raise UsageError(f"{_name('timeout', cli)} wants seconds from {low:g} to {high:g} "
                         f"(one day), got {value!r}")
    return seconds


def _largest(options: CampaignOptions) -> tuple[int, int]:
    """(parameters, batch) of the largest network the campaign can draw."""
    if options.architecture == "cnn":
        from crosscheck.reference.cnn_sampling import MAX_BATCH, MAX_PARAMS
        from crosscheck.reference.cnn_spec import CNNSpec, parse_cnn

        if options.cnn:  # the network given: its own size
            shape, layers, _, _ = parse_cnn(options.cnn)
            spec = CNNSpec(input_shape=shape, layers=layers)
            return (sum(math.prod(s) for s in spec.param_shapes().values()),
                    options.batch or MAX_BATCH)
        return MAX_PARAMS, options.batch or MAX_BATCH
    if options.sizes:
        sizes = options.sizes
        params = sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))
    else:
        w = options.max_width
        params = options.max_depth * (w * w + w)
    batch = options.batch or inspect.signature(random_case).parameters["max_batch"].default
    return params, batch


def check_limits(options: CampaignOptions, *, max_size: int = MAX_SIZE, cli: bool = False) -> None:
    """Refuse, before anything runs, what cannot give a meaningful answer: a negative seed,
    networks above ``max_size`` parameters x batch, an init scale above :data:`MAX_SCALE`
    or an L2 penalty above :data:`MAX_L2` (a :class:`UsageError` naming the option)."""
    if isinstance(options.seed, bool) or not isinstance(options.seed, int) or options.seed < 0:
        raise UsageError(f"{_name('seed', cli)} wants an integer >= 0, got {options.seed!r}")
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
        raise UsageError(f"{_name('max_size', cli)} wants a positive integer, got {max_size!r}")
    params, batch = _largest(options)
    if params * batch > max_size:
        what = ("networks of " + "-".join(map(str, options.sizes)) if options.sizes
                else "the network --cnn gives" if options.cnn
                else "random CNN-style networks" if options.architecture == "cnn"
                else f"networks of up to {options.max_depth} layers of width {options.max_width}")
        up_to = "" if options.sizes or options.cnn else "up to "
        raise UsageError(f"{what} at batch {batch} {'has' if options.cnn else 'have'} "
                         f"{up_to}{params} parameters "
                         f"x batch {batch} = {params * batch:.3g}, above the limit of "
                         f"{max_size:.3g} (raise it with {_name('max_size', cli)})")
    if options.scale is not None and options.scale > MAX_SCALE:
        raise UsageError(f"{_name('scale', cli)} {options.scale:g} is above {MAX_SCALE:g}: larger inits "
                         f"push logits past what float64 resolves (exp overflows at 709) and the "
                         f"oracles stop agreeing on correct code (some networks fail at 1e3)")
    l2, flag = options.l2, _name("l2", cli)
    if options.cnn and l2 is None:  # the l2=X the network's words carry
        from crosscheck.reference.cnn_spec import parse_cnn

        l2, flag = parse_cnn(options.cnn)[3], "--cnn's l2" if cli else "cnn's l2"
    if l2 is not None and l2 > MAX_L2:
        raise UsageError(f"{flag} {l2:g} is above {MAX_L2:g}: a larger penalty swamps "
                         f"the loss, the tolerance grows with the loss and then hides wrong bias "
                         f"gradients (a bias bug passes at 1e12); far larger overflows float64")


def prepare_report_dir(path, *, flag: str = "--report") -> Path | None:
    """Check a report directory before any work: created if needed, writable, and no report
    file name taken by a directory. A :class:`UsageError` (one line) otherwise."""
    if path is None:
        return None
    from crosscheck.reports.writers import REPORT_FILES

    d = Path(path)
    if d.exists() and not d.is_dir():
        raise UsageError(f"{flag} {path}: exists and is not a directory")
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".crosscheck-probe-", dir=d)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write there ({exc.strerror or exc})") from None
    for name in REPORT_FILES:
        if (d / name).is_dir():
            raise UsageError(f"{flag} {path}: {name} there is a directory, so the report cannot "
                             f"be written")
    return d


_NESTED = "crosscheck.verify() was called while crosscheck's worker imported"
_NESTED_WHY = ("its module calls crosscheck.verify() when imported (no `if __name__ == "
               "\"__main__\":` guard), so the worker cannot import it")


class _OutOfTime(Exception):
    """The re-runs' time budget is spent."""


def check_cnn_call(layout: str, mode: str, dtype: str, oracles) -> None:
    """A CNN is checked as ``fn(params, X, Y, spec) -> (loss, grads)`` in float64."""
    if layout != "xw":
        raise UsageError(f"--layout {layout} is an MLP layout: a CNN's parameters come as the "
                         f"dict W1, b1, ... (--layout xw)")
    if mode != "grads":
        raise UsageError("--mode update covers MLP networks only: a CNN's function returns "
                         "(loss, grads)")
    if dtype != "float64":
        raise UsageError("--dtype float32 covers MLP networks only (its tolerances are "
                         "calibrated on them)")
    if set(oracles) <= {"complex-step"}:  # it sits CNNs out: nothing would judge
        raise UsageError("--oracles complex-step covers MLP networks only: a CNN needs torch, "
                         "tensorflow or fd")


def run_verify(fn, label: str, *, layout: str, mode: str, lr: float, timeout: float | None,
               options: CampaignOptions, oracles: Sequence[str], shrink: int,
               tolerance: SubjectTolerance | None = None, subject_import: str | None = None,
               progress=None, dtype: str = "float64", memory_limit: int | None = None,
               isolation_off: str = "", function: dict | None = None) -> VerifyResult:
    """Check ``fn`` on the campaign, diagnose the worst failing networks, shrink them and
    conclude: the work behind both :func:`verify` and ``crosscheck verify``.

    ``fn`` is a target, ``FILE.py:FUNC`` or ``module:FUNC``, imported and called in a worker
    process (crosscheck/subject/worker.py) under ``timeout`` and ``memory_limit``; or a
    function, called in this process (``isolation_off`` says why). Importing the target
    raises :class:`~crosscheck.subject.worker.LoadError` (a UsageError) for bad input."""
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
    if options.architecture == "cnn":
        check_cnn_call(layout, mode, dtype, oracles)
    if dtype == "float32":
        tolerance = replace(tolerance or SubjectTolerance(), dtype="float32")
    if not isinstance(fn, str):  # a function here; a target is probed by the worker
        unusable = probe_signature(fn, layout=layout, mode=mode)
        if unusable:  # before any framework is imported: one message, not one per network
            return _unusable(label, f"{label} {unusable}", options, oracles, layout, mode)
    worker = None
    if isinstance(fn, str):
        worker = SubjectWorker(fn, layout=layout, mode=mode, lr=lr, timeout=timeout,
                               memory_limit=memory_limit, dtype=dtype, function=function).start()
    try:
        if worker is not None:
            worker.load()  # before the oracles: a function that cannot take the contract's
            if worker.unusable:  # arguments is told at once, before any framework is imported
                return _unusable(label, f"{label} {worker.unusable}", options, oracles, layout,
                                 mode)
        parties = load_oracles(tuple(oracles))
        subject = worker if worker is not None else adapt(fn, layout=layout, mode=mode, lr=lr,
                                                          timeout=timeout, dtype=dtype)

        def checked(done: int, total: int, case_result: CaseResult) -> None:
            if worker is not None:  # what the function printed, under this network's verdict
                case_result.output = worker.take_output()
            if progress is not None:
                progress(done, total, case_result)

        result = run_campaign(subject, label, parties, options, progress=checked,
                              tolerance=tolerance)
        # the diagnosis, then the shrinker, share one time budget for re-running the subject,
        # and neither re-runs a network whose call hung or ended the process
        deadline = time.monotonic() + max(RERUN_SECONDS, result.seconds)

        def rerun(case) -> CaseResult:
            if time.monotonic() > deadline:
                raise _OutOfTime
            return check_case(case, subject, parties, subject=label, tolerance=tolerance)

        update = {"lr": lr} if mode == "update" else {}
        for case_result in _to_diagnose(result.failures):
            again = None if case_result.error_kind in PROCESS_KINDS else rerun
            try:
                case_result.suspects = diagnose(case_result, again, **update)
            except _OutOfTime:
                case_result.suspects = diagnose(case_result, **update)
        if shrink > 0 and options.architecture == "cnn" and result.failures:
            result.notes.append(CNN_NOT_SHRUNK)
        if shrink > 0:  # the script calls the user's function again as this run called it
            attach_reproductions(result.cases, subject, parties, max_cases=shrink,
                                 subject_import=_absolute(subject_import),
                                 call={"layout": layout, "mode": mode, "lr": lr, "dtype": dtype},
                                 deadline=deadline, skip_kinds=PROCESS_KINDS)
    finally:
        if worker is not None:
            worker.close()
    result.conclusion = conclude(result.cases, label)
    return VerifyResult(result, note=layout_note(layout, mode), isolation_off=isolation_off,
                        advice=advise(result.cases, options)
                        if options.architecture == "mlp" else "")


def _isolation(fn) -> tuple[str | None, str]:
    """("file.py:qualname" the worker can import ``fn`` from, or "package.module:qualname"
    for a module inside a package, and ""), or (None, why it cannot be imported)."""
    if inspect.ismethod(fn) or not inspect.isfunction(fn):
        return None, f"a {type(fn).__name__} is not a plain function the worker can import"
    name = fn.__qualname__
    if "<" in name:
        what = "a lambda" if fn.__name__ == "<lambda>" else "a function defined inside another"
        return None, f"{what} cannot be imported by name"
    try:
        source = inspect.getsourcefile(fn)
    except TypeError:
        source = None
    if source is None or not Path(source).is_file():
        return None, "its module has no source file (a notebook cell or an interactive session?)"
    module = sys.modules.get(fn.__module__)
    spec = getattr(module, "__spec__", None)
    if "." in fn.__module__ and spec is not None and spec.name == fn.__module__:
        return f"{fn.__module__}:{name}", ""  # in a package: by name, so relative imports work
    return f"{Path(source).resolve()}:{name}", ""


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
    errors = sorted((c for c in worst if c.error and c.error_kind != UNCOMPARED), key=lambda c: (not _loss_also_wrong(c), c.index))
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
    reference = cnn_loss_and_grads if is_cnn(c.spec) else reference_loss_and_grads
    ref = reference(c.case.params, c.case.X, c.case.Y, c.spec)[0]
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
           timeout: float | None = 10.0, shrink: int = 5, report: str | Path | None = None,
           memory_limit: int | str | None = None, max_size: int = MAX_SIZE,
           architecture: str | None = None, cnn: str | None = None,
           in_process: bool = False) -> VerifyResult:
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
    ``cnn="3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(16)-relu-affine(10)"`` (the words the
    summary prints, loss and ``l2=X`` optional) checks a CNN-style ``fn`` on that network
    (``architecture="cnn"`` without it: random CNNs); see docs/contract.md.

    Tolerances: by default each comparison uses the table in
    ``crosscheck.engine.tolerances`` for the oracle compared with (about 1e-9 relative against
    autodiff, 1e-5 against finite differences; the module docstring derives them).
    ``tolerance_scale`` multiplies those; ``rtol``/``atol`` replace them outright:
    an element passes when ``|subject - oracle| <= atol + rtol * |oracle|``.

    Isolation: ``fn`` is imported again, from its source file and qualified name, in a
    worker process, and every call runs there: ``timeout`` seconds per call (and for the
    import; None: no limit) and ``memory_limit`` (bytes or "4G"; default half the machine's
    memory) are enforced from outside it, and whatever it does to its process (exits, hangs,
    crashes, closes stdout) is a verdict for that network. A lambda, a closure or a function
    without a source file is sent to the worker by value (its code, closure and the globals
    it names; subject.loading.function_payload). What cannot be sent (a method, a value that
    does not pickle) is a :class:`UsageError`, unless ``in_process=True``: then it runs in
    this process, without the limits, and ``str(result)`` says isolation was off
    (``result.isolated``). ``max_size`` bounds the networks, in parameters
    x batch.

    Returns a :class:`VerifyResult`: ``.passed``, ``.cases``, ``.conclusion``,
    ``.write_report(dir)``, and ``str()`` gives the CLI's summary. ``report=DIR`` writes the
    reports too (checked before the campaign starts). Bad options raise
    :class:`crosscheck.UsageError` (a ``ValueError``).
    """
    if in_worker():  # a module that calls verify at import, being imported by the worker
        raise UsageError(f"{_NESTED} this module: put the call under "
                         f"`if __name__ == \"__main__\":`")
    if shrink is None or isinstance(shrink, bool) or not isinstance(shrink, int) or shrink < 0:
        raise UsageError(f"shrink wants a count >= 0, got {shrink!r}")
    timeout = check_timeout(timeout)
    limit = parse_memory_limit(memory_limit)
    try:
        tolerance = SubjectTolerance(scale=tolerance_scale, rtol=rtol, atol=atol)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    options = options_for(networks=networks, seed=seed, sizes=sizes, loss=loss,
                          hidden_activations=hidden_activations, l2=l2, batch=batch,
                          max_depth=max_depth, max_width=max_width, scale=scale,
                          activations=activations, output_activation=output_activation,
                          targets=targets, architecture=architecture, cnn=cnn)
    check_limits(options, max_size=max_size)
    if not callable(fn):
        raise UsageError(f"verify wants a function, got {type(fn).__name__}")
    prepare_report_dir(report, flag="report")
    label, subject_import = _where(fn)
    target, why = _isolation(fn)
    common = dict(layout=layout, mode=mode, lr=lr, timeout=timeout, options=options,
                  oracles=oracles, shrink=shrink, subject_import=subject_import,
                  tolerance=None if tolerance.is_default else tolerance, memory_limit=limit,
                  dtype=dtype)
    result = None
    if target is not None:
        try:
            result = run_verify(target, label, **common)
        except LoadError as exc:  # it is loaded here, but the worker cannot import it again
            why = (_NESTED_WHY if _NESTED in str(exc)
                   else f"the worker could not import it again ({exc})")
    if result is None and not in_process:
        result, why = _by_value(fn, label, why, common)
    if result is None:
        result = run_verify(fn, label, isolation_off=why, **common)
    if report is not None:
        result.write_report(report)
    return result


def _by_value(fn, label: str, why: str, common: dict) -> tuple[VerifyResult, str]:
    """``fn`` checked in the worker, sent by value; a UsageError when it cannot be."""
    from crosscheck.subject.loading import NotSendable, function_payload

    try:
        return run_verify(label, label, function=function_payload(fn), **common), ""
    except NotSendable as exc:
        why = f"{why}, and it cannot be sent to the worker by value: {exc}"
    except LoadError as exc:
        why = f"{why}, and the worker could not rebuild it ({exc})"
    raise UsageError(f"{label} cannot run in a worker process: {why}. Pass in_process=True to "
                     f"run it in this process, without the worker's limits")


def assert_backprop(fn, **options) -> VerifyResult:
    """:func:`verify` ``fn`` and raise ``AssertionError`` unless it passes.

    The message is the failure summary: the conclusion, then for the worst networks the
    tensor, index, both values and the tolerance, who is blamed, the suspects, and how to
    reproduce. Takes the keywords of :func:`verify`; returns the result when it passes."""
    __tracebackhide__ = True  # pytest shows the message, not this function's source
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
              "activations", "output_activation", "targets", "dtype", "memory_limit", "max_size",
              "architecture", "cnn")


def _flag(v) -> str:
    if isinstance(v, list | tuple):
        return ("-" if v and isinstance(v[0], int) else ",").join(map(str, v))
    return shlex.quote(str(v))
