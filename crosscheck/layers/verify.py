"""``verify_layer`` / ``assert_layer``: one layer's forward/backward pair, checked on random
cases, with the pair imported and called in a worker process as ``verify`` does."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from crosscheck.errors import UsageError, option
from crosscheck.layers.check import LayerResult, check_layer, in_process
from crosscheck.layers.kinds import KINDS
from crosscheck.layers.shrink import shrink_layer_case
from crosscheck.locate import layer_case_line
from crosscheck.options import check_count, check_int
from crosscheck.runner import (
    absolute_target,
    check_timeout,
    load_oracles,
    prepare_report_dir,
    run_isolated,
    worker_session,
    write_report_files,
)

__all__ = ["DROPOUT_P", "MAX_CASES", "LayerVerification", "assert_layer", "run_layer",
           "verify_layer"]

DROPOUT_P = ("keep", "drop")  # what dropout's p means: the keep probability (the contract's) or
# the drop probability (the 2016-17 CS231n handouts)


@dataclass(frozen=True)
class LayerVerification:
    """What :func:`verify_layer` found: ``.passed``, ``.cases``, ``.conclusion``; ``str()``
    is the summary ``crosscheck verify-layer`` prints. Frozen: :meth:`write_report` writes
    files and leaves the result as it was; it only logs where they went (:attr:`written`), so
    that the summary names each shrunk case's script once it exists."""

    result: LayerResult
    _written: list = field(default_factory=list, compare=False, repr=False)

    @property
    def written(self) -> tuple[Path, ...]:
        """The files the last :meth:`write_report` wrote (empty before one)."""
        return tuple(self._written)

    passed = property(lambda self: self.result.passed)
    cases = property(lambda self: self.result.cases)
    conclusion = property(lambda self: self.result.conclusion)

    def write_report(self, directory) -> list[Path]:
        """report.json, report.md, report.html and junit.xml into ``directory``, all or
        nothing; returns the paths written."""
        from crosscheck.reports.layer_report import (
            layer_report_dict,
            script_name,
            write_layer_report_dir,
        )

        directory = prepare_report_dir(directory)
        scripts = {script_name(s.index): self._script(s) for s in self.result.shrunk
                   if self.result.targets}
        paths = write_report_files(directory, lambda d: write_layer_report_dir(
            layer_report_dict(self.result), d, scripts))
        self._written[:] = paths
        return paths

    def scripts(self) -> dict[int, Path]:
        """Shrunk case index -> its script among :attr:`written`."""
        from crosscheck.reports.layer_report import script_name

        names = {p.name: p for p in self.written}
        return {s.index: names[script_name(s.index)] for s in self.result.shrunk
                if script_name(s.index) in names}

    def _script(self, shrunk) -> str:
        from crosscheck.engine.tolerances import TOLERANCES
        from crosscheck.reports.layer_repro import layer_reproduction_script

        r = self.result
        return layer_reproduction_script(
            KINDS[r.kind], title=f"{r.subject}, case {shrunk.index} of seed {r.seed}, shrunk",
            describe=shrunk.case.describe, forward=r.targets[0], backward=r.targets[1],
            arrays=shrunk.data.arrays, extra=shrunk.data.extra, dout=shrunk.data.dout,
            dtype=r.dtype, test_mode=shrunk.case.shape.mode == "test",
            keep=_keep(shrunk.data.extra, r.dropout_p), line=r.line,
            tolerance=TOLERANCES["float32" if r.dtype == "float32" else "autodiff"])

    def __str__(self) -> str:
        from crosscheck.reports.render_layer import render_layer_summary

        return render_layer_summary(self.result, scripts=self.scripts())

    __repr__ = object.__repr__


def _keep(extra: dict, dropout_p: str) -> float | None:
    """Dropout's keep probability in a case the pair was given (``extra``), or None."""
    p = (extra.get("param") or {}).get("p")
    if p is None:
        return None
    return 1.0 - p if dropout_p == "drop" else p


def _check_kind(kind: str, backward) -> None:
    if kind not in KINDS:
        raise UsageError(f"unknown layer kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    if KINDS[kind].loss and backward is not None:
        raise UsageError(f"{kind} is a loss layer: one function (x, y) -> (loss, dx), no backward")
    if not KINDS[kind].loss and backward is None:
        raise UsageError(f"{kind} needs a backward: {kind}_forward and {kind}_backward")


MAX_CASES = 100_000  # the shapes are drawn up front; a million would take minutes to start


def _check_counts(cases, seed, timeout) -> float | None:
    """The timeout as seconds, after ``cases`` and ``seed`` are checked (a UsageError)."""
    check_int("cases", cases, 1)
    check_int("seed", seed, 0)
    if cases > MAX_CASES:
        raise UsageError(f"{option('cases')} wants at most {MAX_CASES}, got {cases}")
    return check_timeout(timeout)


def run_layer(kind: str, forward, backward, label: str, *, cases: int = 20, seed: int = 0,
              timeout: float | None = 10.0, memory_limit: int | None = None,
              isolation_off: str = "", progress=None, dtype: str = "float64",
              shrink: int = 1, report=None, dropout_p: str = "keep",
              strict: bool = False) -> LayerVerification:
    """Check the pair: ``forward``/``backward`` are targets (``FILE.py:FUNC``), imported and
    called in a worker process, or functions, called here (``isolation_off`` says why).
    Each case's call, finite differences of the forward included, gets 10 x ``timeout``.
    The first ``shrink`` failing cases are shrunk to the smallest shape failing the same way
    (``crosscheck/layers/shrink.py``); targets also get a reproduction script each when the
    report is written into ``report`` (a directory), if given. ``dropout_p``: what
    dropout's ``p`` means to the pair ("keep", the contract's, or "drop"); ``strict``: a
    subgradient convention at a kink (ReLU'(0) = 1, tied maxima sharing the gradient) fails
    instead of warning."""
    from crosscheck.oracles.tf_layers import tf_layer
    from crosscheck.oracles.torch_layers import torch_layer

    _check_kind(kind, backward)
    timeout = _check_counts(cases, seed, timeout)
    check_count("shrink", shrink)
    if dropout_p not in DROPOUT_P:
        raise UsageError(f"unknown {option('dropout_p')} {dropout_p!r}; choose from "
                         f"{', '.join(DROPOUT_P)}")
    if not isinstance(strict, bool):
        raise UsageError(f"{option('strict')} wants True or False, got {strict!r}")
    if dtype not in ("float64", "float32"):
        raise UsageError(f"unknown dtype {dtype!r}; choose from float64, float32")
    load_oracles(("torch", "tensorflow"))  # a missing framework is a UsageError naming it
    target = forward if isinstance(forward, str) else None
    oracles = {"torch": torch_layer, "tensorflow": tf_layer}
    with worker_session(target, timeout=timeout, memory_limit=memory_limit,
                        layer=(kind, forward, backward)) as worker:
        if worker is not None:
            limit = None if timeout is None else 10 * timeout

            def pair_call(arrays, extra, dout, numerical, forward_only=False):
                return worker.call_layer(arrays, extra, dout, numerical=numerical, limit=limit,
                                         forward_only=forward_only)
        else:
            pair_call = in_process(kind, forward, backward)
        settings = {"names": {"forward": _function_name(forward),
                              "backward": _function_name(backward)},
                    "dropout_p": dropout_p, "strict": strict}
        result = check_layer(kind, pair_call, label=label, cases=cases, seed=seed,
                             oracles=oracles, progress=progress, dtype=dtype, **settings)
        shrunk = [shrink_layer_case(case, pair_call, label=label, oracles=oracles, dtype=dtype,
                                    **settings)
                  for case in [c for c in result.cases if c.verdict == "fail"][:shrink]]
        shrunk = [s for s in shrunk if s is not None]
        line = None if worker is None else layer_case_line(
            worker, result.cases, shrunk, dtype=dtype, dropout_p=dropout_p)
    result = replace(result, isolation_off=isolation_off, shrunk=tuple(shrunk), line=line,
                     targets=((absolute_target(forward), absolute_target(backward))
                              if target is not None else None))
    checked = LayerVerification(result)
    if report is not None:
        checked.write_report(report)
    return checked


def _function_name(f) -> str | None:
    """A function's name as a report says it: ``conv_backward_naive`` (a target's name after
    the colon, or the function's qualified name)."""
    if f is None:
        return None
    if isinstance(f, str):
        return f.rpartition(":")[2]
    return getattr(f, "__qualname__", None)


def verify_layer(kind: str, forward, backward=None, *, cases: int = 20, seed: int = 0,
                 timeout: float | None = 10.0, memory_limit=None,
                 dtype: str = "float64", shrink: int = 1, dropout_p: str = "keep",
                 strict: bool = False) -> LayerVerification:
    """Check a hand-written layer, CS231n style: ``out, cache = forward(...)`` and
    ``grads = backward(dout, cache)`` (a loss kind: one function ``(x, y) -> (loss, dx)``),
    against PyTorch's and TensorFlow's ops and autograd and against finite differences of its
    own forward, on ``cases`` random cases drawn from ``seed``; the first ``shrink`` failing
    cases are shrunk to the smallest failing shape. ``dropout_p="drop"``: the pair's dropout
    reads ``p`` as the drop probability; ``strict=True``: a subgradient convention at a kink
    (ReLU'(0) = 1, tied pooling maxima sharing the gradient), a warning by default, fails.
    Kinds and signatures: docs/contract.md."""
    from crosscheck.subject.worker import parse_memory_limit

    _check_kind(kind, backward)
    for what, f in (("forward", forward), ("backward", backward)):
        if (f is not None or what == "forward") and not callable(f):
            raise UsageError(f"verify_layer wants functions: {what} is a {type(f).__name__} "
                             f"(the command line takes FILE.py:FUNC)")
    label = (getattr(forward, "__qualname__", None) or repr(forward)).removesuffix("_forward")
    limit = parse_memory_limit(memory_limit)
    return run_isolated(
        [f for f in (forward, backward) if f is not None],
        lambda fwd, bwd=None, isolation_off="": run_layer(
            kind, fwd, bwd, label, cases=cases, seed=seed, timeout=timeout, memory_limit=limit,
            isolation_off=isolation_off, dtype=dtype, shrink=shrink, dropout_p=dropout_p,
            strict=strict))


def assert_layer(kind: str, forward, backward=None, **options) -> LayerVerification:
    """:func:`verify_layer`, raising ``AssertionError`` with the summary unless it passes."""
    __tracebackhide__ = True
    result = verify_layer(kind, forward, backward, **options)
    if not result.passed:
        raise AssertionError(f"layer {kind} is wrong\n{result}")
    return result

