"""Check one case: run the subject and every oracle on it, then triangulate."""

from __future__ import annotations

import importlib.util
import math
import sysconfig
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np

from crosscheck.engine.tolerances import SubjectTolerance
from crosscheck.engine.triangulate import (
    Party,
    TensorVote,
    directional_votes,
    disagreeing_elements,
    triangulate,
)
from crosscheck.oracles.base import OracleNotApplicable
from crosscheck.oracles.fd import FiniteDifferenceOracle
from crosscheck.reference.sampling import Case

__all__ = ["FD_SAMPLE_PER_TENSOR", "LARGE_NETWORK_PARAMS", "MIN_INDEPENDENT", "UNCOMPARED",
           "CaseResult", "SubjectError", "answer_source", "too_few_answers",
           "check_arrays", "check_case", "check_unchanged", "describe_exception",
           "run_subject", "unpack_pair", "user_frames", "user_traceback"]

# Above this many parameters the numerical oracles stop differencing every coordinate: fd
# runs a directional (adjoint) check of every tensor plus a full check of a random sample of
# FD_SAMPLE_PER_TENSOR coordinates per tensor, and complex-step checks the same sample. Full
# fd costs two (partial) forward passes per coordinate, so its time grows with the parameter
# count times the forward cost, while the sampled check costs about the same at any size. The
# threshold keeps 784-64-10 (51k parameters, the usual course network) checked in full.
# Memory is bounded by fd's chunking either way.
LARGE_NETWORK_PARAMS = 100_000
FD_SAMPLE_PER_TENSOR = 1024
_NUMERICAL = ("fd", "complex-step")
# A network passes only when at least MIN_INDEPENDENT independent answers besides the
# subject's agree with it: a subject alone agrees with itself on every tensor (triangulate has
# no pair to compare), and a subject and one oracle that agree have no third voice between
# them. Independent means another implementation: torch, tensorflow, and crosscheck's own
# numerical forward (fd and complex step share it: one answer between them). A network with
# fewer fails as an error of kind UNCOMPARED (nobody is blamed, nothing is re-run).
MIN_INDEPENDENT = 2
UNCOMPARED = "uncompared"


def answer_source(kind: str, name: str) -> str:
    """What an answer is independent of others by: the framework for autodiff oracles, one
    shared source for the numerical ones (they differentiate the same forward)."""
    return "numerical" if kind in _NUMERICAL else name


class SubjectError(Exception):
    """The implementation under test did not produce a usable (loss, grads).

    ``kind`` classifies the failure for the diagnosis and the reports: ``raised``,
    ``mutated``, ``returned`` (wrong type, keys, shapes, dtypes), ``timeout``, or an adapter's
    own kind such as ``lr-dependent``.
    """

    def __init__(self, message: str, kind: str = "returned", detail: str = "",
                 data: dict | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.detail = detail  # extra lines for a reader, e.g. the user's traceback frames
        # what went wrong as data, for the diagnosis: {"kind": "shape", "tensor", "actual",
        # "expected"}, {"kind": "dtype", ...}, {"kind": "raised", "message"}, ...
        self.data = {"kind": kind, "message": message, **(data or {})}


def _frozen(mapping=None) -> Mapping:
    """A read-only view of a copy of ``mapping`` (a result's dicts cannot change after it is made)."""
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class CaseResult:
    """What checking one network found: frozen once made. What is learnt about it later (the
    diagnosis's suspects, the output the worker captured, the shrinker's reproduction) is
    added by :func:`dataclasses.replace`, which makes a new result."""

    index: int
    case_seed: tuple
    case: Case
    subject: str
    oracles: tuple
    votes: tuple = ()
    error: str = ""  # why the subject (or an oracle) produced nothing to compare
    error_party: str = ""
    error_kind: str = ""  # SubjectError.kind when the subject produced nothing to compare
    error_detail: str = ""  # SubjectError.detail: the user's traceback lines, where it stopped
    error_data: Mapping = field(default_factory=_frozen)  # SubjectError.data: the same, as data
    output: str = ""  # what the subject printed while this network was checked (worker only)
    seconds: Mapping = field(default_factory=_frozen)
    fd_refined: int = 0  # finite-difference coordinates re-measured by Richardson extrapolation
    # "full" (every coordinate differenced), "sampled" (a large network: directional check of
    # every tensor plus a random sample of coordinates), or "" when no numerical oracle ran
    fd_mode: str = ""
    fd_checked: int = 0  # coordinates the numerical oracles actually differenced
    skipped: Mapping = field(default_factory=_frozen)  # oracle name -> why it sat this case out
    # catalogue pitfalls, most likely first: objects with id, title, score, evidence, to_dict()
    suspects: tuple = ()
    # every party's answer (subject first): the reports draw worst elements and norm profiles
    parties: tuple = field(default=(), repr=False)
    # the smallest failing network found by the shrinker (engine.shrink), as a read-only
    # mapping, or None; the renderers turn it into a standalone script
    reproduction: Mapping | None = None
    # the shrunk Case itself and the subject's answer on it, for the script's embedded values
    shrunk: tuple | None = field(default=None, repr=False)
    # the edge the campaign moved this network to (reference.sampling.EDGES: "relu-ties",
    # "large-logits"), or "" for an ordinary random network
    edge: str = ""
    # a subgradient convention at exact kinks (ReLU'(0) = 1) that explains every difference,
    # in words (crosscheck.engine.conventions), or "": the case passes unless ``strict``
    convention: str = ""
    strict: bool = False
    # the first line of the user's code that computes a wrong value (crosscheck/locate), as
    # data for the reports: status "found" (file, line, source, should_equal, detail, ...) or
    # "unmatched" (reason); None when it was not looked for
    line: Mapping | None = None

    def __post_init__(self) -> None:  # the containers a caller hands in, made read-only
        for name in ("case_seed", "oracles", "votes", "suspects", "parties"):
            if not isinstance(getattr(self, name), tuple):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        for name in ("error_data", "seconds", "skipped"):
            if not isinstance(getattr(self, name), MappingProxyType):
                object.__setattr__(self, name, _frozen(getattr(self, name)))
        if self.reproduction is not None and not isinstance(self.reproduction, MappingProxyType):
            object.__setattr__(self, "reproduction", _frozen(self.reproduction))
        if self.line is not None and not isinstance(self.line, MappingProxyType):
            object.__setattr__(self, "line", _frozen(self.line))

    @property
    def spec(self):
        return self.case.spec

    @property
    def verdict(self) -> str:
        if self.convention and not self.strict and not self.error:
            return "pass"
        return "fail" if self.error or any(not v.ok for v in self.votes) else "pass"

    @property
    def blame(self) -> list[str]:
        """Who disagrees with the majority, over all tensors ("no-majority" when undecided)."""
        if self.error:
            return [self.error_party]
        names: list[str] = []
        for v in self.votes:
            names += [n for n in v.dissenters if n not in names]
        if not names and any(v.status == "no-majority" for v in self.votes):
            names = ["no-majority"]
        return names

    @property
    def kinks(self) -> int:
        diffs = [d for v in self.votes for d in v.diffs if "fd" in (d.a, d.b)]
        return max((d.n_excluded for d in diffs), default=0)

    @property
    def severity(self) -> float:
        """How bad: an error first, then the largest relative error norm of a failing
        comparison (the order summaries and reports show failures in)."""
        if self.error:
            return math.inf
        rels = [d.rel_norm for v in self.votes for d in v.diffs if not d.ok]
        return max((math.inf if math.isnan(r) else r for r in rels), default=0.0)

    def failing_votes(self) -> list[TensorVote]:
        return [v for v in self.votes if not v.ok]


def _first_change(before: np.ndarray, after) -> str:
    if not isinstance(after, np.ndarray) or after.shape != before.shape:
        return "replaced with a different object or shape"
    changed = ~((before == after) | (np.isnan(before) & np.isnan(after)))
    idx = tuple(int(i) for i in np.argwhere(changed)[0])
    return (f"{int(changed.sum())} element(s) changed, first at {list(idx)}: "
            f"{float(before[idx]):.6g} -> {float(after[idx]):.6g}")


def check_unchanged(items, hint: str = "") -> None:
    """Raise ``SubjectError(kind="mutated")`` naming the first ``(label, before, after)`` whose
    array changed: which array, how many elements, the first index and both values."""
    for label, before, after in items:
        if not (isinstance(after, np.ndarray) and after.shape == before.shape
                and np.array_equal(before, after, equal_nan=True)):
            raise SubjectError(f"mutated its input {label}: {_first_change(before, after)}{hint}",
                               kind="mutated")


def check_arrays(arrays, shapes: dict, what: str, hint: str = "", dtype=np.float64) -> dict:
    """Validate a returned dict of arrays against ``shapes`` (keys, type, shape, ``dtype``:
    float64 unless the user's mode is ``--dtype float32``; a tuple: the dtypes accepted, the
    first the one expected) and return float64 copies; raise :class:`SubjectError` with a
    one-line reason. ``what`` names the dict in messages (``grads``, ``new params``);
    ``hint`` follows a key mismatch."""
    accepted = tuple(np.dtype(d) for d in (dtype if isinstance(dtype, tuple) else (dtype,)))
    dtype = accepted[0]
    if not isinstance(arrays, dict):
        raise SubjectError(f"{what} must be a dict, got {type(arrays).__name__}")
    missing = [k for k in shapes if k not in arrays]
    extra = [k for k in arrays if k not in shapes]
    if missing or extra:
        raise SubjectError(f"{what} keys do not match params: missing {missing}, "
                           f"unexpected {extra}{hint}")
    clean = {}
    for k, shape in shapes.items():
        g = arrays[k]
        if not isinstance(g, np.ndarray):
            raise SubjectError(f"{what}[{k!r}] is a {type(g).__name__}, expected a numpy array")
        if g.shape != shape:
            hint = " (transposed?)" if g.shape == shape[::-1] and len(shape) == 2 else ""
            raise SubjectError(f"{what}[{k!r}] has shape {g.shape}, expected {shape}{hint}",
                               data={"kind": "shape", "tensor": k, "actual": tuple(g.shape),
                                     "expected": tuple(shape), "what": what})
        if g.dtype not in accepted:
            raise SubjectError(f"{what}[{k!r}] has dtype {g.dtype}, expected {np.dtype(dtype)}"
                               f"{_dtype_hint(g.dtype, np.dtype(dtype))}",
                               data={"kind": "dtype", "tensor": k, "actual": str(g.dtype),
                                     "expected": str(np.dtype(dtype)), "what": what})
        clean[k] = np.array(g, dtype=np.float64)  # a plain ndarray copy, even of an np.matrix
    return clean


def _dtype_hint(got: np.dtype, want: np.dtype) -> str:
    if want == np.float64 and got == np.float32:
        return (" (float32 rounding, ~1e-7 relative, is far above the float64 tolerance; "
                "an MLP computed in float32 is checked with --dtype float32, a CNN must return "
                "float64)")
    if want == np.float64 and np.issubdtype(got, np.floating):
        return f" ({got} rounding is far above the tolerance)"
    if want == np.float32:
        return " (--dtype float32: your function gets float32 arrays and returns float32)"
    return ""


def _check_loss(loss) -> float:
    if isinstance(loss, bool) or not isinstance(loss, int | float | np.number | np.ndarray):
        raise SubjectError(f"loss must be a number, got {type(loss).__name__}: {_short(loss)}")
    loss_arr = np.asarray(loss)
    if not (np.issubdtype(loss_arr.dtype, np.floating) or np.issubdtype(loss_arr.dtype, np.integer)):
        raise SubjectError(f"loss must be a number, got an array of dtype {loss_arr.dtype}")
    if loss_arr.size != 1:
        raise SubjectError(f"loss must be a scalar, got an array of shape {loss_arr.shape} "
                           f"(a loss per sample? take the mean)")
    if np.issubdtype(loss_arr.dtype, np.floating) and loss_arr.dtype != np.float64:
        raise SubjectError(f"loss has dtype {loss_arr.dtype}, expected float64")
    return float(loss_arr.reshape(()))


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


# Frames from these directories are the suite's own, never shown in a user's traceback.
_OWN_DIRS = tuple(str(Path(d).resolve()) for name in ("crosscheck", "crosscheck.reference",
                                                       "crosscheck.oracles", "crosscheck.reports")
                  for d in importlib.util.find_spec(name).submodule_search_locations)
_LIBRARY_DIRS = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib",
                                                           "platlib")})


def user_traceback(exc: BaseException, limit: int = 3) -> str:
    """The last ``limit`` frames of ``exc``'s traceback that belong to the user, one
    ``File "f.py", line N, in func`` line and its source line each, indented for a report.

    The suite's own frames are dropped; library frames (numpy, the stdlib) too, unless the
    user has none, so the reader sees their own line that went wrong."""
    return user_frames(traceback.extract_tb(exc.__traceback__), limit)


def user_frames(frames, limit: int = 3) -> str:
    """:func:`user_traceback` for a list of ``traceback.FrameSummary``, oldest first (the
    worker's stack dump of a call that timed out comes this way)."""
    frames = [f for f in frames if not str(Path(f.filename).resolve()).startswith(_OWN_DIRS)]
    mine = [f for f in frames if not f.filename.startswith(_LIBRARY_DIRS)]
    shown = (mine or frames)[-limit:]
    lines = []
    for f in shown:
        lines.append(f'      File "{f.filename}", line {f.lineno}, in {f.name}')
        if f.line:
            lines.append(f"        {f.line.strip()}")
    return "\n".join(lines)


def describe_exception(exc: BaseException) -> SubjectError:
    """``SubjectError("raised ValueError: first line of the message")`` with the user's frames
    as its detail."""
    text = str(exc).strip().splitlines()
    head = f"raised {type(exc).__name__}" + (f": {text[0]}" if text else "")
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        key = exc.args[0]
        if key.startswith("Theta"):
            head += " (it expects Theta matrices: use --layout theta)"
        elif key[:1] in "Wb" and key[1:].isdigit():
            head += " (it expects W/b arrays: use --layout xw)"
    return SubjectError(head, kind="raised", detail=user_traceback(exc),
                        data={"exception": type(exc).__name__})


def run_subject(fn, case: Case, name: str = "subject",
                tolerance: SubjectTolerance | None = None) -> Party:
    """Call ``fn(params, X, Y, spec)`` on copies-checked inputs and validate what comes back.

    Raises :class:`SubjectError` with a one-line reason (for an exception, the user's own
    traceback lines are its ``detail``): an exception, a wrong return type, wrong keys, shapes or dtypes, a
    non-numeric or non-scalar loss, or mutated inputs. NaN or Inf in what it returns is left to
    the comparison, which fails it and says so (the diagnosis reads where it appears).
    """
    spec = case.spec
    snapshot = {k: v.copy() for k, v in case.params.items()}
    X0, Y0 = case.X.copy(), case.Y.copy()
    try:
        out = fn(case.params, case.X, case.Y, spec)
    except SubjectError:
        raise
    except (Exception, SystemExit) as exc:  # the subject's own bug: report it, do not crash
        raise describe_exception(exc) from exc
    check_unchanged([(f"params[{k!r}]", snapshot[k], case.params.get(k)) for k in snapshot]
                    + [("X", X0, case.X), ("Y", Y0, case.Y)])
    loss, grads = unpack_pair(out)
    loss = _check_loss(loss)
    hint = ""
    if isinstance(grads, dict) and any(str(k).startswith("Theta") for k in grads):
        hint = " (Theta matrices? use --layout theta)"
    try:
        clean = check_arrays(grads, spec.param_shapes(), "grads", hint)
    except SubjectError as exc:
        exc.data.setdefault("loss", loss)  # the loss it returned with them, for the diagnosis
        raise
    return Party(name=name, kind="subject", loss=loss, grads=clean, tolerance=tolerance)


def unpack_pair(out, what: str = "(loss, grads)") -> tuple:
    """``out`` as a pair, or :class:`SubjectError` saying what came back instead."""
    if not (isinstance(out, tuple | list) and len(out) == 2):
        raise SubjectError(f"must return {what}, got {_describe_return(out)}")
    return out[0], out[1]


def _describe_return(out) -> str:
    if isinstance(out, tuple | list):
        return f"a {type(out).__name__} of {len(out)} item(s)"
    return f"{type(out).__name__} {_short(out)}" if out is None or np.isscalar(out) else type(out).__name__


def check_case(case: Case, subject_fn, oracles: list, *, subject: str = "subject",
               index: int = 0, case_seed: list | None = None,
               large_params: int = LARGE_NETWORK_PARAMS,
               tolerance: SubjectTolerance | None = None) -> CaseResult:
    """Run the subject and each oracle on ``case`` and vote on every tensor.

    Numerical oracles: above ``large_params`` parameters they run sampled (see
    LARGE_NETWORK_PARAMS). Where complex-step applies (no ReLU) and the network is not large,
    it stands in for fd: the numerical check then holds to the autodiff tolerance instead of
    fd's 1e-5 (fd is skipped and ``skipped`` says why). An oracle that does not apply to the
    network (complex-step through a ReLU) sits the case out, recorded in ``skipped``.
    """
    made = dict(index=index, case_seed=tuple(case_seed or ()), case=case, subject=subject,
                oracles=tuple(o.name for o in oracles))
    seconds: dict[str, float] = {}
    skipped: dict[str, str] = {}
    t0 = time.perf_counter()
    try:
        parties = [run_subject(subject_fn, case, subject, tolerance)]
    except SubjectError as exc:
        return CaseResult(**made, error=f"{subject} {exc}", error_party=subject,
                          error_kind=exc.kind, error_detail=exc.detail, error_data=exc.data)
    seconds[subject] = time.perf_counter() - t0
    spec = case.spec
    large = sum(int(np.prod(s)) for s in spec.param_shapes().values()) > large_params
    stand_in = next((o.name for o in oracles if o.kind == "complex-step" and not large
                     and o.applies(spec)), None)
    # one Generator per case for the sampled coordinates and directions: same seed, same check
    sample_seed = [*made["case_seed"], 0x5A]
    directional = {}
    fd_mode, fd_checked = "", 0
    for oracle in oracles:
        if oracle.kind == "fd" and stand_in:
            skipped[oracle.name] = f"{stand_in} applies (no ReLU) and stands in for it"
            continue
        t0 = time.perf_counter()
        try:
            if large and isinstance(oracle, FiniteDifferenceOracle):  # complex-step is one too
                r = oracle.evaluate(case.params, case.X, case.Y, spec,
                                    sample=FD_SAMPLE_PER_TENSOR,
                                    rng=np.random.default_rng(sample_seed))
                if oracle.kind == "fd":
                    directional[oracle.name] = _richardson_directional(oracle, case, sample_seed)
            else:
                r = oracle.evaluate(case.params, case.X, case.Y, spec)
        except OracleNotApplicable as exc:
            skipped[oracle.name] = str(exc)
            continue
        seconds[oracle.name] = time.perf_counter() - t0
        unchecked = getattr(r, "unchecked", {})  # only a sampled check leaves coordinates out
        if oracle.kind in _NUMERICAL:
            fd_mode = "sampled" if unchecked or oracle.name in directional else "full"
            fd_checked += sum(int(g.size - unchecked[n].sum()) if n in unchecked
                              else int(g.size) for n, g in r.grads.items())
        parties.append(Party(name=oracle.name, kind=oracle.kind, loss=r.loss, grads=r.grads,
                             kinks=r.kinks, unchecked=unchecked))
    tensors = list(spec.param_names())
    votes, refined = [], 0
    if len(parties) > 1:
        votes = _vote_all(parties, tensors, directional)
        if any(not v.ok for v in votes):
            refined = _refine_fd(parties, oracles, case, tensors)
            if refined:
                votes = _vote_all(parties, tensors, directional)
    result = CaseResult(**made, votes=votes, seconds=seconds, fd_refined=refined,
                        fd_mode=fd_mode, fd_checked=fd_checked, skipped=skipped, parties=parties)
    return result if len(parties) > 1 else too_few_answers(result)


def too_few_answers(result: CaseResult) -> CaseResult:
    """``result`` as the verdict sees it: where every comparison agreed but fewer than
    :data:`MIN_INDEPENDENT` independent answers besides the subject's were made, a failure
    of kind UNCOMPARED (agreement with one oracle, or with none, is no verdict). A campaign
    judges every network so; a single check (the diagnosis's and the shrinker's re-runs, the
    tests of one oracle) keeps what it compared."""
    sources = {answer_source(p.kind, p.name) for p in result.parties[1:]}
    if result.error or len(sources) >= MIN_INDEPENDENT or not all(v.ok for v in result.votes):
        return result
    skips = "; ".join(words if words.startswith(name) else f"{name}: {words}"
                      for name, words in result.skipped.items())
    by = (f"compared by {' and '.join(p.name for p in result.parties[1:])} alone" if sources
          else "nothing compared it")
    error = (f"{result.subject}: {by} on this network, and a verdict needs {MIN_INDEPENDENT} "
             f"independent answers besides it" + (f" ({skips})" if skips else ""))
    return replace(result, error=error, error_party="too few answers", error_kind=UNCOMPARED,
                   error_data={"kind": UNCOMPARED, "message": error})


def _vote_all(parties, tensors, directional) -> list[TensorVote]:
    votes = triangulate(parties, tensors)
    for fd_name, d in directional.items():
        votes += directional_votes(parties, fd_name, d, votes)
    return votes


def _richardson_directional(oracle, case: Case, seed: list):
    """The directional derivatives at h and h/2 along the same directions (two Generators in
    one state), combined as (4 D(h/2) - D(h)) / 3: the h^2 truncation term cancels."""
    args = (case.params, case.X, case.Y, case.spec)
    d1 = oracle.directional(*args, np.random.default_rng([*seed, 1]))
    d2 = oracle.directional(*args, np.random.default_rng([*seed, 1]), step=oracle.step / 2)
    derivatives = {n: (4.0 * d2.derivatives[n] - d1.derivatives[n]) / 3.0 for n in d1.derivatives}
    kinked = {n: d1.kinked[n] or d2.kinked[n] for n in d1.kinked}
    return replace(d1, derivatives=derivatives, kinked=kinked)


def _refine_fd(parties: list[Party], oracles: list, case: Case, tensors: list[str]) -> int:
    """Re-measure, by Richardson extrapolation, the finite-difference coordinates that disagree
    with some other party (in place in ``parties``). Returns how many were re-measured."""
    by_name = {o.name: o for o in oracles}
    count = 0
    for i, fd in enumerate(parties):
        oracle = by_name.get(fd.name)
        if fd.kind != "fd" or not hasattr(oracle, "refine"):
            continue
        grads = dict(fd.grads)
        for tensor in tensors:
            mask = np.zeros(fd.grads[tensor].shape, dtype=bool)
            for other in parties:
                if other.kind != "fd":
                    mask |= disagreeing_elements(other, fd, tensor)
            if mask.any():
                g = grads[tensor].copy()
                g[mask] = oracle.refine(case.params, case.X, case.Y, case.spec, tensor, mask)
                grads[tensor] = g
                count += int(mask.sum())
        parties[i] = replace(fd, grads=grads)
    return count
