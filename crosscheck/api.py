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
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from crosscheck.engine.budget import SafetyNet
from crosscheck.engine.campaign import (
    CNN_FIELDS,
    CampaignOptions,
    CampaignResult,
    case_for,
    network_options,
    run_campaign,
)
from crosscheck.engine.check import UNCOMPARED, CaseResult, check_case, too_few_answers
from crosscheck.engine.conventions import mark_conventions
from crosscheck.engine.shrink import SHRINK_TRIES, attach_reproductions
from crosscheck.engine.tolerances import SubjectTolerance
from crosscheck.errors import UsageError, option
from crosscheck.options import MAX_SIZE, OPTIONS, check, reproduce_line
from crosscheck.oracles.base import VERIFY_ORACLES
from crosscheck.reference import cnn_loss_and_grads
from crosscheck.reference import loss_and_grads as reference_loss_and_grads
from crosscheck.reference.cnn_spec import is_cnn
from crosscheck.reference.sampling import Case, random_case
from crosscheck.runner import (
    NESTED,
    absolute_target,
    check_timeout,
    isolation_target,
    load_oracles,
    prepare_report_dir,
    run_isolated,
    worker_session,
    write_report_files,
)
from crosscheck.subject.adapters import adapt, layout_note, order_note, upcast_note
from crosscheck.subject.inputs import ArraysGiven, case_at, load_inputs
from crosscheck.subject.probe import advise, probe_signature
from crosscheck.subject.worker import PROCESS_KINDS, in_worker, parse_memory_limit

__all__ = ["MAX_L2", "MAX_SCALE", "MAX_SIZE", "VerifyResult", "assert_backprop",
           "call_conventions", "check_at", "check_cnn_call", "check_fixed", "check_limits",
           "lr_beside_fixed_lr", "options_at", "options_for", "run_verify", "verify"]

# Failing networks that get a diagnosis (it may re-run the subject): the ones the summary shows.
MAX_DIAGNOSED = 5
# After the campaign, the diagnosis and then the shrinker re-run the subject, on budgets
# counted in networks and tries (never seconds: same seed, same report on a busy machine).
# The diagnosis re-checks at most 7 networks per diagnosed case (6 to separate explanations,
# 1 at batch 1), for at most 7 cases; the shrinker SHRINK_TRIES per shrunk case. A wall-clock
# safety net (crosscheck.engine.budget) only ends re-runs gone pathological, and says so.
DIAGNOSIS_RERUNS = 50
# Init scale and L2 penalty beyond which a campaign means nothing, measured with a correct
# function (tests/subjects/class_layers.py) and a bias bug, all three oracles: at scale 300
# 40 of 40 networks pass, at 1e3 correct code fails 1 of 20 (logits in the thousands overflow
# exp() and fd's differences); the tolerance table is calibrated up to scale 8. At l2 = 1e8
# the bias bug still fails 18 of 20 networks, at 1e12 it passes all 20: the penalty swamps the
# loss, and the loss term of the tolerance hides the biases. 1e300 overflows float64.
MAX_SCALE = 100.0
MAX_L2 = 1e6


@dataclass(frozen=True)
class VerifyResult:
    """What :func:`verify` found. ``str(result)`` is the summary ``crosscheck verify`` prints.

    Frozen: the campaign, its diagnosis and reproductions are assembled once, before it is
    made, and :meth:`write_report` leaves them as they were. It only logs where the files
    went (:attr:`written`, not part of the result's value), so that the summary names each
    reproduction script's path once it exists."""

    campaign: CampaignResult
    note: str = ""  # how the report's tensor names map onto the user's layout/mode
    # the one message when the function cannot take the contract's arguments (no campaign ran)
    unusable: str = ""
    advice: str = ""  # the flags that avoid the network kinds the function raised on
    # "" when the function ran in a worker process; otherwise why it ran in this one
    isolation_off: str = ""
    # every path write_report wrote, oldest first: where the files are, not what was found
    _written: list = field(default_factory=list, compare=False, repr=False)

    @property
    def written(self) -> tuple[Path, ...]:
        """The files the last :meth:`write_report` wrote (empty before one)."""
        return tuple(self._written)

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
    def cases(self) -> tuple[CaseResult, ...]:
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
        into ``directory`` (created if needed), all or nothing; returns the paths written.
        The result is left as it was; :attr:`written` logs the paths."""
        from crosscheck.reports.report_json import report_dict
        from crosscheck.reports.writers import write_report_dir

        paths = write_report_files(directory,
                                   lambda d: write_report_dir(report_dict(self.campaign), d))
        self._written[:] = paths
        return paths

    def scripts(self) -> dict[int, Path]:
        """Case index -> the reproduction script among :attr:`written`."""
        names = {p.name: p for p in self.written}
        return {c.index: names[c.reproduction["script_name"]] for c in self.campaign.cases
                if c.reproduction and c.reproduction["script_name"] in names}

    def __str__(self) -> str:
        from crosscheck.reports.render_text import render_summary

        if self.unusable:
            return f"{self.unusable}\nverdict: FAIL"
        head = f"({self.note})\n" if self.note and not self.passed else ""
        if self.isolation_off:
            head = (f"(isolation off: {self.isolation_off}; it ran in this process, without the "
                    f"worker's hard limits)\n") + head
        summary = render_summary(self.campaign, scripts=self.scripts())
        if self.advice:  # just above the verdict line
            body, _, verdict = summary.rpartition("\n")
            summary = f"{body}\n{self.advice}\n{verdict}"
        return head + summary

    __repr__ = object.__repr__


def options_for(*, networks: int = 20, seed: int = 0, sizes=None, loss=None,
                hidden_activations=None, l2: float | None = None, batch: int | None = None,
                max_depth: int = 4, max_width: int = 32, scale: float | None = None,
                activations=None, output_activation=None, targets: str = "any",
                edge_networks: bool = True, architecture: str | None = None,
                cnn: str | None = None, reduction: str = "mean", l2_convention: str = "batch",
                bias: bool = True) -> CampaignOptions:
    """The campaign for these keywords, validated (a :class:`UsageError` names the bad one).
    ``cnn`` (one CNN in the summary's words) implies ``architecture="cnn"``, which takes
    ``networks``, ``seed``, ``batch`` and ``l2`` only."""
    networks, seed, batch, max_depth, max_width, l2, scale = (
        check(name, value) for name, value in (
            ("networks", networks), ("seed", seed), ("batch", batch), ("max_depth", max_depth),
            ("max_width", max_width), ("l2", l2), ("scale", scale)))
    edges = check("edge_networks", edge_networks)  # MLPs only: a CNN campaign draws none
    if cnn is not None and architecture == "mlp":
        raise UsageError(f"{option('cnn')} describes a CNN-style network: drop "
                         f"{option('architecture', 'mlp')}")
    check("architecture", architecture)
    if cnn is not None or architecture == "cnn":
        mlp = {"sizes": sizes, "loss": loss, "hidden_activations": hidden_activations,
               "scale": scale, "activations": activations, "output_activation": output_activation,
               "targets": targets, "max_depth": max_depth, "max_width": max_width,
               "reduction": reduction, "l2_convention": l2_convention, "bias": bias}
        given = [name for name, v in mlp.items() if v is not None and v != OPTIONS[name].default]
        if given:
            takes = ", ".join(option(name) for name in CNN_FIELDS[:-1])
            raise UsageError(f"{option(given[0])} describes MLP networks; a CNN campaign takes "
                             f"{takes} and {option(CNN_FIELDS[-1])}")
        return CampaignOptions(architecture="cnn", networks=networks, seed=seed, batch=batch,
                               l2=l2, cnn=check("cnn", cnn))
    return network_options(
        networks=networks, seed=seed, sizes=check("sizes", sizes), losses=check("loss", loss),
        activations=check("activations", activations),
        hidden_activations=check("hidden_activations", hidden_activations),
        output_activations=check("output_activation", output_activation),
        targets=targets, l2=l2, batch=batch, max_depth=max_depth, max_width=max_width,
        scale=scale, edges=edges, reduction=check("reduction", reduction),
        l2_convention=check("l2_convention", l2_convention), bias=check("bias", bias))


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


def check_limits(options: CampaignOptions, *, max_size: int = MAX_SIZE) -> None:
    """Refuse, before anything runs, what cannot give a meaningful answer: a negative seed,
    networks above ``max_size`` parameters x batch, an init scale above :data:`MAX_SCALE`
    or an L2 penalty above :data:`MAX_L2` (a :class:`UsageError` naming the option)."""
    check("seed", options.seed)
    check("max_size", max_size)
    params, batch = _largest(options)
    if params * batch > max_size:
        what = ("networks of " + "-".join(map(str, options.sizes)) if options.sizes
                else f"the network {option('cnn')} gives" if options.cnn
                else "random CNN-style networks" if options.architecture == "cnn"
                else f"networks of up to {options.max_depth} layers of width {options.max_width}")
        up_to = "" if options.sizes or options.cnn else "up to "
        raise UsageError(f"{what} at batch {batch} {'has' if options.cnn else 'have'} "
                         f"{up_to}{params} parameters "
                         f"x batch {batch} = {params * batch:.3g}, above the limit of "
                         f"{max_size:.3g} (raise it with {option('max_size')})")
    if options.scale is not None and options.scale > MAX_SCALE:
        raise UsageError(f"{option('scale')} {options.scale:g} is above {MAX_SCALE:g}: larger inits "
                         f"push logits past what float64 resolves (exp overflows at 709) and the "
                         f"oracles stop agreeing on correct code (some networks fail at 1e3)")
    l2, flag = options.l2, option("l2")
    if options.cnn and l2 is None:  # the l2=X the network's words carry
        from crosscheck.reference.cnn_spec import parse_cnn

        l2, flag = parse_cnn(options.cnn)[3], f"{option('cnn')}'s l2"
    if l2 is not None and l2 > MAX_L2:
        raise UsageError(f"{flag} {l2:g} is above {MAX_L2:g}: a larger penalty swamps "
                         f"the loss, the tolerance grows with the loss and then hides wrong bias "
                         f"gradients (a bias bug passes at 1e12); far larger overflows float64")


class _OutOfTime(Exception):
    """The diagnosis's re-run budget is spent (or the safety net fired)."""


def check_cnn_call(layout: str, mode: str, dtype: str, oracles) -> None:
    """A CNN is checked as ``fn(params, X, Y, spec) -> (loss, grads)`` in float64."""
    if layout != "xw":
        raise UsageError(f"{option('layout', layout)} is an MLP layout: a CNN's parameters come "
                         f"as the dict W1, b1, ... ({option('layout', 'xw')})")
    if mode != "grads":
        raise UsageError(f"{option('mode', 'update')} covers MLP networks only: a CNN's function "
                         f"returns (loss, grads)")
    if dtype != "float64":
        raise UsageError(f"{option('dtype', 'float32')} covers MLP networks only (its tolerances "
                         f"are calibrated on them)")
    if set(oracles) <= {"complex-step"}:  # it sits CNNs out: nothing would judge
        raise UsageError(f"{option('oracles', 'complex-step')} covers MLP networks only: a CNN "
                         f"needs torch, tensorflow or fd")


def lr_beside_fixed_lr() -> UsageError:
    """The error for a learning rate given both ways."""
    return UsageError(f"{option('lr')} is the rate your step takes as an argument, "
                      f"{option('fixed_lr')} the one built into it: give one")


def call_conventions(layout: str, mode: str, lr: float, fixed_lr: float | None,
                     unrolled_order: str) -> tuple[str, float, float | None, str]:
    """(mode, lr, fixed_lr, unrolled_order) checked: ``fixed_lr`` implies update mode at that
    one rate; ``unrolled_order`` F goes with the theta-unrolled layout only."""
    fixed_lr, unrolled_order = check("fixed_lr", fixed_lr), check("unrolled_order", unrolled_order)
    if unrolled_order != "C" and layout != "theta-unrolled":
        raise UsageError(f"{option('unrolled_order', unrolled_order)} says how "
                         f"{option('layout', 'theta-unrolled')} flattens the Theta matrices: "
                         f"add it, or drop {option('unrolled_order')}")
    if fixed_lr is not None:
        mode, lr = "update", fixed_lr
    return mode, lr, fixed_lr, unrolled_order


def run_verify(fn, label: str, *, layout: str, mode: str, lr: float, timeout: float | None,
               options: CampaignOptions, oracles: Sequence[str], shrink: int,
               tolerance: SubjectTolerance | None = None, subject_import: str | None = None,
               progress=None, dtype: str = "float64", memory_limit: int | None = None,
               isolation_off: str = "", report=None, function: dict | None = None,
               fixed_lr: float | None = None, unrolled_order: str = "C",
               fixed_case=None, strict: bool = False) -> VerifyResult:
    """Check ``fn`` on the campaign, diagnose the worst failing networks, shrink them,
    conclude, and write the reports into ``report`` (a directory) if given: the work behind
    both :func:`verify` and ``crosscheck verify``.

    ``fn`` is a target, ``FILE.py:FUNC`` or ``module:FUNC``, imported and called in a worker
    process (crosscheck/subject/worker.py) under ``timeout`` and ``memory_limit``; or a
    function, called in this process (``isolation_off`` says why). Importing the target
    raises :class:`~crosscheck.subject.worker.LoadError` (a UsageError) for bad input."""
    from crosscheck.diagnosis.conclude import conclude

    layout, mode, lr, dtype = (check(name, value) for name, value in (
        ("layout", layout), ("mode", mode), ("lr", lr), ("dtype", dtype)))
    mode, lr, fixed_lr, unrolled_order = call_conventions(layout, mode, lr, fixed_lr,
                                                          unrolled_order)
    conventions = {"fixed_lr": fixed_lr, "unrolled_order": unrolled_order}
    if dtype == "float32" and mode == "update":
        raise UsageError(f"{option('dtype', 'float32')} applies to {option('mode', 'grads')} "
                         f"only (a float32 step's rounding of the new weights, ~6e-8 |W| / lr, "
                         f"would swamp the inferred gradient)")
    if options.architecture == "cnn":
        check_cnn_call(layout, mode, dtype, oracles)
    if not options.bias and layout != "xw":
        raise UsageError(f"networks without biases ({option('bias', 'False')}) go with "
                         f"{option('layout', 'xw')}: a Theta matrix holds its bias in column 0")
    if dtype == "float32":
        tolerance = replace(tolerance or SubjectTolerance(), dtype="float32")
    if not isinstance(fn, str):  # a function here; a target is probed by the worker
        unusable = probe_signature(fn, layout=layout, mode=mode, fixed=fixed_lr is not None)
        if unusable:  # before any framework is imported: one message, not one per network
            return _verified(_unusable(label, f"{label} {unusable}", options, oracles, layout,
                                       mode, conventions), report)
    target = fn if isinstance(fn, str) else None
    outputs: dict[int, str] = {}  # what the function printed, per network (worker only)
    with worker_session(target, layout=layout, mode=mode, lr=lr, timeout=timeout,
                        memory_limit=memory_limit, dtype=dtype, function=function,
                        **conventions) as worker:
        if worker is not None and worker.unusable:  # loaded before the oracles: told at once,
            return _verified(_unusable(label, f"{label} {worker.unusable}", options, oracles,
                                       layout, mode, conventions), report)  # before any framework
        failed = worker.import_failure if worker is not None else None
        if failed is not None:  # its module never loaded (it ended the process, hung or cut its
            # reply while imported): no network can be checked, and no framework is needed to
            # say so; the message is every network's verdict, told once
            return _verified(_unusable(label, f"{label} {failed}", options, oracles, layout,
                                       mode, conventions, kind=failed.kind,
                                       detail=failed.detail, data=failed.data), report)
        parties = load_oracles(tuple(oracles))
        subject = worker if worker is not None else adapt(fn, layout=layout, mode=mode, lr=lr,
                                                          timeout=timeout, dtype=dtype,
                                                          **conventions)

        def checked(done: int, total: int, case_result: CaseResult) -> None:
            if worker is not None:
                outputs[case_result.index] = worker.take_output()
            if progress is not None:
                progress(done, total, case_result)

        if fixed_case is not None:  # check_at: the user's own arrays, one network
            result = check_fixed(fixed_case, subject, label, parties, options, progress=checked,
                                 tolerance=tolerance)
        else:
            result = run_campaign(subject, label, parties, options, progress=checked,
                                  tolerance=tolerance)
        result = mark_conventions(result, strict=check("strict", strict))
        if outputs:
            result = replace(result, cases=[replace(c, output=outputs.get(c.index, ""))
                                            for c in result.cases])
        upcast = upcast_note(result.cases) if dtype == "float32" else ""
        if upcast:
            result = replace(result, notes=(*result.notes, upcast))
        order = order_note(result.cases, unrolled_order) if layout == "theta-unrolled" else ""
        result = _diagnose_and_shrink(
            result, subject, parties, label, tolerance=tolerance, shrink=shrink,
            subject_import=absolute_target(subject_import),
            call={"layout": layout, "mode": mode, "lr": lr, "dtype": dtype, **conventions})
    result = replace(result, conclusion=conclude(result.cases, label, convention=order))
    return _verified(VerifyResult(result, note=layout_note(layout, mode, **conventions),
                                  isolation_off=isolation_off,
                                  advice=advise(result.cases, options)
                                  if options.architecture == "mlp" else ""), report)


AT_ARRAYS_NOTE = ("checked once, at the arrays given: the network (its sizes from the arrays) "
                  "and the batch are theirs, no seed draws them")


def check_fixed(case, subject, label: str, parties: list, options: CampaignOptions, *,
                progress=None, tolerance: SubjectTolerance | None = None) -> CampaignResult:
    """The campaign of one network, ``case`` (the user's own arrays, :func:`check_at`)."""
    t0 = time.perf_counter()
    result = too_few_answers(check_case(case, subject, parties, subject=label, index=0,
                                        case_seed=[options.seed, 0], tolerance=tolerance))
    if progress is not None:
        progress(1, 1, result)
    return CampaignResult(options=options, subject=label, oracles=[o.name for o in parties],
                          cases=[result], seconds=time.perf_counter() - t0,
                          notes=(AT_ARRAYS_NOTE,))


def options_at(arrays, *, drawn: dict, seed: int, layout: str, unrolled_order: str, sizes,
               activations, hidden_activations, output_activation, loss,
               l2, reduction: str = "mean", l2_convention: str = "batch",
               bias: bool = True) -> tuple[Case, CampaignOptions]:
    """(the network ``arrays`` = ``(params, X, Y)`` give, the campaign of that one network).
    ``drawn``: the options that describe random networks, refused when given; the conventions
    (``reduction``, ``l2_convention``) apply to that network; ``bias=False``: the arrays hold
    W1, ..., WL only."""
    bias = check("bias", bias)
    if not bias and layout != "xw":
        raise UsageError(f"networks without biases ({option('bias', 'False')}) go with "
                         f"{option('layout', 'xw')}: a Theta matrix holds its bias in column 0")
    given = [name for name, v in drawn.items() if v is not None and v != OPTIONS[name].default]
    if given:
        raise UsageError(f"{option(given[0])} describes random networks; at the arrays given "
                         f"({option('inputs')}) the network and the batch are theirs: drop it")
    case = case_at(*arrays, layout=check("layout", layout),
                   unrolled_order=check("unrolled_order", unrolled_order),
                   sizes=check("sizes", sizes), activations=check("activations", activations),
                   hidden_activations=check("hidden_activations", hidden_activations),
                   output_activation=check("output_activation", output_activation),
                   loss=check("loss", loss), l2=check("l2", l2), bias=bias)
    spec = replace(case.spec, reduction=check("reduction", reduction),
                   l2_convention=check("l2_convention", l2_convention))
    case = replace(case, spec=spec)
    options = network_options(networks=1, seed=check("seed", seed), sizes=spec.sizes,
                              losses=(spec.loss,), activations=spec.activations,
                              targets="labels" if case.Y.ndim == 1 else "any", l2=spec.l2,
                              batch=case.batch, reduction=spec.reduction,
                              l2_convention=spec.l2_convention, bias=bias)
    return case, options


def _diagnose_and_shrink(result: CampaignResult, subject, parties: list, label: str, *,
                         tolerance: SubjectTolerance | None, shrink: int,
                         subject_import: str | None, call: dict) -> CampaignResult:
    """Diagnose, then shrink, the failing cases: a new campaign result whose worst failing
    cases carry their suspects and (``shrink`` of them) their reproductions. Both re-run the
    subject on budgets counted in networks and tries, under one wall-clock safety net whose
    firing the result records; neither re-runs a network whose call hung or ended the
    process."""
    from crosscheck.diagnosis.diagnose import diagnose

    net, reruns = SafetyNet(), [0]

    def rerun(case) -> CaseResult:
        if reruns[0] >= DIAGNOSIS_RERUNS or net.fired("the diagnosis's re-runs"):
            raise _OutOfTime
        reruns[0] += 1
        return check_case(case, subject, parties, subject=label, tolerance=tolerance)

    update = {"lr": call["lr"]} if call["mode"] == "update" else {}
    suspects: dict[int, tuple] = {}
    for case_result in _to_diagnose(result.failures):
        again = None if case_result.error_kind in PROCESS_KINDS else rerun
        try:
            suspects[case_result.index] = tuple(diagnose(case_result, again, **update))
        except _OutOfTime:
            suspects[case_result.index] = tuple(diagnose(case_result, **update))
    cases = [replace(c, suspects=suspects[c.index]) if c.index in suspects else c
             for c in result.cases]
    if shrink > 0:  # the script calls the user's function again as this run called it
        cases = attach_reproductions(cases, subject, parties, max_cases=shrink,
                                     subject_import=subject_import, call=call,
                                     budget=SHRINK_TRIES, stop=lambda: net.fired("shrinking"),
                                     skip_kinds=PROCESS_KINDS)
    cases = _find_lines(cases, subject, call["dtype"])
    notes = result.notes
    if net.cut:
        notes += (f"the wall-clock safety net ({net.seconds:g} s of re-runs) fired during "
                  f"{net.cut}: later re-runs were skipped, so this report may differ from "
                  f"another run of the same seed",)
    return replace(result, cases=cases, notes=notes, safety_net=net.to_dict())


def _find_lines(cases: list, subject, dtype: str) -> list:
    """``cases`` with one numeric failure's line found (an MLP's or a CNN's; crosscheck/
    locate): the worst on an ordinary network with a batch of 3 and 2 outputs when one failed,
    traced as :func:`_trace_plan` says. The user's function runs again, traced, in the worker
    (nothing when it runs in this process, or when every case passed)."""
    from crosscheck.locate import find_line

    ordered = _to_diagnose([c for c in cases if c.verdict == "fail"])
    failing = [c for c in ordered if not c.error and c.subject in c.blame] or [
        c for c in ordered if c.subject in c.blame and _traceable_error(c)]
    if not failing or not hasattr(subject, "trace"):
        return cases
    # the worst ordinary network first: on an edge one (logits in the thousands, ReLU ties) a
    # textbook formula that is right elsewhere can depart first (an overflow), not the bug;
    # with a batch of 3 and 2 outputs (on smaller ones 1/batch is 1 and a softmax over the
    # wrong axis is all ones: the conventions are ambiguous)
    ordinary = [c for c in failing if not c.edge]
    worst = next((c for c in ordinary if _roomy(_traced(c))), (ordinary or failing)[0])
    line = None
    for case, shape in _trace_plan(worst):
        line = find_line(subject, case, dtype=dtype, shape=shape)
        if _settled(line):
            break
    return [replace(c, line=line) if c.index == worst.index and line else c for c in cases]


def _settled(line: dict | None) -> bool:
    """Whether a traced case's answer stands: a line, a form the matcher does not follow, or a
    traced call that did not come back (the whole batch would fare no better, and would wait
    as long again); not when every intermediate matched there (the bug did not show on those
    samples)."""
    from crosscheck.locate.match import ALL_MATCHED

    if line is None:
        return True
    return line.get("status") == "found" or not line.get("reason", "").startswith(ALL_MATCHED)


def _roomy(case: Case) -> bool:
    """A batch of 3 and 2 outputs (a CNN keeps its classes when it is shrunk)."""
    return is_cnn(case.spec) or (case.X.shape[0] >= 3 and case.spec.sizes[-1] >= 2)


def _traced(c: CaseResult) -> Case:
    """The case to trace for a failure: shrunk when its shrunk case is roomy enough (a batch
    factor would have kept its batch), else as it failed."""
    small = c.shrunk[0] if c.shrunk else None
    return small if small is not None and _roomy(small) else c.case


def _trace_plan(c: CaseResult) -> list:
    """``[(case, shape data or None), ...]``: the cases to trace for failure ``c``, in order,
    until a line is found. First its first few samples (the tracer runs Python on every line,
    so a loop over samples costs per sample; at least 3, and not a layer's width, so that
    1/batch and a transpose stay told apart), then the case as it is."""
    case = _traced(c)
    shape = dict(c.error_data) if c.error and c.error_data.get("kind") == "shape" else None
    plan = [(case, shape)]
    if shape is None and not is_cnn(case.spec):
        keep = next(b for b in range(3, 64) if b not in case.spec.sizes)
        if case.X.shape[0] > keep:
            plan.insert(0, (replace(case, X=case.X[:keep], Y=case.Y[:keep]), None))
    return plan


def _traceable_error(case) -> bool:
    """A failure with nothing compared whose line can still be found: a gradient handed back
    in the wrong shape (the line that made it), a step that depends on lr (its backward,
    traced at lr, departs where an updated weight is used)."""
    data = case.error_data or {}
    return (data.get("kind") == "shape" and data.get("what") in ("grads", "new params")) \
        or case.error_kind == "lr-dependent"


def _verified(result: VerifyResult, report) -> VerifyResult:
    """``result``, its report written into ``report`` first when one is asked for."""
    if report is not None:
        result.write_report(report)
    return result


def _unusable(label: str, message: str, options: CampaignOptions, oracles: Sequence[str],
              layout: str, mode: str, conventions: dict | None = None, *,
              kind: str = "signature", detail: str = "",
              data: dict | None = None) -> VerifyResult:
    """A failed verification without a campaign: one case that carries the message (and the
    error's ``kind``, ``detail`` and ``data``), so the reports say fail too."""
    case = CaseResult(index=0, case_seed=[options.seed, 0], case=case_for(options, 0),
                      subject=label, oracles=list(oracles), error=message, error_party=label,
                      error_kind=kind, error_detail=detail, error_data=data or {})
    result = CampaignResult(options=options, subject=label, oracles=list(oracles), cases=[case],
                            conclusion=message)
    # the user's lines it was running (an import stopped mid-way), under the message
    shown = message + "".join(f"\n  {line}" for line in detail.splitlines())
    return VerifyResult(result, note=layout_note(layout, mode, **(conventions or {})),
                        unusable=shown)


def _to_diagnose(failures: list[CaseResult]) -> list[CaseResult]:
    """The worst numeric failures first, then the worst errors of kinds not yet chosen: a
    function that raises on some networks must not hide what the others measured."""
    worst = sorted(failures, key=lambda c: (-c.severity, c.index))
    numeric = [c for c in worst if not c.error][:MAX_DIAGNOSED]
    # errors that came with a wrong loss too have more to explain: those first
    errors = sorted((c for c in worst if c.error and c.error_kind != UNCOMPARED),
                    key=lambda c: (not _loss_also_wrong(c), c.index))
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
           oracles: Sequence[str] = VERIFY_ORACLES, rtol: float | None = None,
           atol: float | None = None, tolerance_scale: float = 1.0,
           timeout: float | None = 10.0, shrink: int = 5, report: str | Path | None = None,
           memory_limit: int | str | None = None, max_size: int = MAX_SIZE,
           architecture: str | None = None, cnn: str | None = None,
           reduction: str = "mean", l2_convention: str = "batch", bias: bool = True,
           in_process: bool = False, edge_networks: bool = True,
           fixed_lr: float | None = None, unrolled_order: str = "C",
           inputs=None, strict: bool = False) -> VerifyResult:
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
    ``edge_networks`` (default True) moves every 5th network from the 4th on to an edge
    (ReLU ties, or large logits where a loss without its stable form overflows); False
    draws ordinary random networks only.
    ``cnn="3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(16)-relu-affine(10)"`` (the words the
    summary prints, loss and ``l2=X`` optional) checks a CNN-style ``fn`` on that network
    (``architecture="cnn"`` without it: random CNNs); see docs/contract.md.
    Conventions (docs/contract.md): ``reduction="sum"`` (loss and gradients summed over the
    batch), ``l2_convention="plain"`` (the penalty ``l2/2 sum W^2``), ``bias=False``
    (networks without biases; layout "xw").

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
    does not pickle) is a :class:`UsageError`. The worker checks the function as its file
    defines it, not state the caller changed at run time; ``in_process=True`` checks the live
    function in this process, without the limits, and ``str(result)`` says isolation was off
    (``result.isolated``). ``max_size`` bounds the networks, in parameters
    x batch.

    Returns a :class:`VerifyResult`: ``.passed``, ``.cases``, ``.conclusion``,
    ``.write_report(dir)``, and ``str()`` gives the CLI's summary. ``report=DIR`` writes the
    reports too (checked before the campaign starts). A network on which ``fn`` differs from
    the frameworks only by a subgradient convention at an exact kink (ReLU'(0) = 1, on the
    relu-ties edge network) passes with a warning; ``strict=True`` fails it. Bad options raise
    :class:`crosscheck.UsageError` (a ``ValueError``).
    """
    if in_worker():  # a module that calls verify at import, being imported by the worker
        raise UsageError(f"{NESTED} this module: put the call under "
                         f"`if __name__ == \"__main__\":`")
    check("shrink", shrink)
    check("strict", strict)
    timeout = check_timeout(timeout)
    limit = parse_memory_limit(memory_limit, flag=option("memory_limit"))
    try:
        tolerance = SubjectTolerance(scale=tolerance_scale, rtol=rtol, atol=atol)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if fixed_lr is not None and lr != OPTIONS["lr"].default:
        raise lr_beside_fixed_lr()
    fixed_case = None
    if check("inputs", inputs) is not None:  # one network: the arrays given
        drawn = {"networks": networks, "batch": batch, "scale": scale, "max_depth": max_depth,
                 "max_width": max_width, "targets": targets, "architecture": architecture,
                 "cnn": cnn}
        arrays = (inputs.arrays if isinstance(inputs, ArraysGiven)
                  else load_inputs(inputs, check("layout", layout)))
        fixed_case, options = options_at(
            arrays, drawn=drawn, seed=seed, layout=layout, unrolled_order=unrolled_order,
            sizes=sizes, activations=activations, hidden_activations=hidden_activations,
            output_activation=output_activation, loss=loss, l2=l2, reduction=reduction,
            l2_convention=l2_convention, bias=bias)
    else:
        options = options_for(networks=networks, seed=seed, sizes=sizes, loss=loss,
                              hidden_activations=hidden_activations, l2=l2, batch=batch,
                              max_depth=max_depth, max_width=max_width, scale=scale,
                              activations=activations, output_activation=output_activation,
                              targets=targets, architecture=architecture, cnn=cnn,
                              edge_networks=edge_networks, reduction=reduction,
                              l2_convention=l2_convention, bias=bias)
    check_limits(options, max_size=max_size)
    if not callable(fn):
        raise UsageError(f"verify wants a function, got {type(fn).__name__}")
    prepare_report_dir(report)
    label, subject_import = _where(fn)
    common = dict(layout=layout, mode=mode, lr=lr, timeout=timeout, options=options,
                  oracles=oracles, shrink=shrink, subject_import=subject_import,
                  tolerance=None if tolerance.is_default else tolerance, memory_limit=limit,
                  dtype=dtype, report=report, fixed_lr=fixed_lr, unrolled_order=unrolled_order,
                  fixed_case=fixed_case, strict=strict)

    def by_value(why: str) -> VerifyResult:
        """``fn`` checked in the worker, sent by value; a UsageError when it cannot be."""
        from crosscheck.subject.loading import NotSendable, function_payload
        from crosscheck.subject.worker import LoadError

        try:
            return run_verify(label, label, function=function_payload(fn), **common)
        except NotSendable as exc:
            why = f"{why}, and it cannot be sent to the worker by value: {exc}"
        except LoadError as exc:
            why = f"{why}, and the worker could not rebuild it ({exc})"
        raise UsageError(f"{label} cannot run in a worker process: {why}. Pass in_process=True "
                         f"to run it in this process, without the worker's limits")

    if in_process:  # the live function, as the caller's process has it, without the limits
        why = isolation_target(fn)[1] or "in_process=True was asked"
        return run_verify(fn, label, isolation_off=why, **common)
    return run_isolated([fn], lambda subject, isolation_off: run_verify(
        subject, label, isolation_off=isolation_off, **common), by_value=by_value)


def check_at(fn, params, X, Y, **options) -> VerifyResult:
    """Check ``fn`` once, at the user's own ``params``, ``X`` and ``Y`` (as
    ``torch.autograd.gradcheck`` does), with the oracles computing on the same arrays.

    ``params`` is in ``fn``'s layout (a dict ``W1, b1, ...`` or ``Theta1, ...``, or the
    vector ``nn_params`` with ``sizes=``); the network's sizes come from the arrays, its
    activations (``activations=``, or ``hidden_activations=`` and ``output_activation=``),
    ``loss=`` and ``l2=`` (default 0) from the keywords. ``Y`` is ``(batch, n_out)``, or int
    class labels ``(batch,)`` under ``softmax_cross_entropy``. The other keywords are
    :func:`verify`'s (``layout``, ``mode``, ``fixed_lr``, ``oracles``, ``report`` ...);
    those that draw random networks (``networks``, ``batch``, ``scale`` ...) are a
    :class:`UsageError`. Same verdict, diagnosis and report as :func:`verify`, on one network.

    >>> import numpy as np, crosscheck                                   # doctest: +SKIP
    >>> r = crosscheck.check_at(my_fn, {"W1": W1, "b1": b1}, X, Y, activations="identity",
    ...                         loss="mse")                              # doctest: +SKIP
    """
    if "inputs" in options:
        raise UsageError(f"check_at checks the arrays given: drop {option('inputs')}")
    return verify(fn, inputs=ArraysGiven((params, X, Y)), **options)


def assert_backprop(fn, **options) -> VerifyResult:
    """:func:`verify` ``fn`` and raise ``AssertionError`` unless it passes.

    The message is the failure summary: the conclusion, then for the worst networks the
    tensor, index, both values and the tolerance, who is blamed, the suspects, and how to
    reproduce. Takes the keywords of :func:`verify`; returns the result when it passes."""
    __tracebackhide__ = True  # pytest shows the message, not this function's source
    result = verify(fn, **options)
    if not result.passed:
        label, where = _where(fn)
        again = (f"\nreproduce: {reproduce_line(where, options)}"
                 if where else f"\nreproduce: crosscheck.verify({label}, **{options!r})")
        raise AssertionError(f"backprop of {label} is wrong\n{result}{again}")
    return result
