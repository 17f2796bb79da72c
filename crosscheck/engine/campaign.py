"""A campaign: N random networks, each checked by the subject against the chosen oracles."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from crosscheck.engine.check import (
    MIN_INDEPENDENT,
    UNCOMPARED,
    CaseResult,
    answer_source,
    check_case,
    too_few_answers,
)
from crosscheck.engine.tolerances import SubjectTolerance
from crosscheck.errors import UsageError, option
from crosscheck.reference.cnn_sampling import fixed_cnn_case, random_cnn_case
from crosscheck.reference.cnn_spec import CNNSpec, parse_cnn
from crosscheck.reference.sampling import EDGES, Case, edge_case, random_case
from crosscheck.reference.spec import (
    CONVENTIONS,
    DEFAULT_ACTIVATIONS,
    DEFAULT_LOSSES,
    LABEL_LOSSES,
    LOGIT_LOSSES,
    TARGETS,
)

__all__ = ["ARCHITECTURES", "CNN_FIELDS", "CampaignOptions", "CampaignResult", "case_for",
           "check_comparable", "edged_case_for",
           "network_options", "run_campaign"]

# "mlp": the NetworkSpec networks every option below describes; "cnn": random CNN-style
# networks (reference/cnn_sampling.py), of which only CNN_FIELDS are chosen by options
ARCHITECTURES: tuple[str, ...] = ("mlp", "cnn")
CNN_FIELDS: tuple[str, ...] = ("networks", "seed", "batch", "l2", "cnn")


@dataclass(frozen=True)
class CampaignOptions:
    """What to generate. ``None`` means "draw at random" for that field."""

    networks: int = 200
    seed: int = 0
    sizes: tuple[int, ...] | None = None
    losses: tuple[str, ...] = DEFAULT_LOSSES
    hidden_activations: tuple[str, ...] = DEFAULT_ACTIVATIONS
    l2: float | None = None
    batch: int | None = None
    max_depth: int = 4
    max_width: int = 32
    scale: float | None = None  # init scale (saturation); None draws it per network
    # every layer's activation, the output's included (one name: all layers); None draws them
    activations: tuple[str, ...] | None = None
    output_activations: tuple[str, ...] | None = None  # what the output layer draws from
    targets: str = "any"  # how Y is drawn: any, onehot, soft, labels (reference.sampling)
    # every 5th network from the 4th on is moved to an edge (ReLU ties, large logits: the
    # last layer x 1000, so the largest |logit| is ~300 to ~30,000, median ~2,000; see
    # reference.sampling.edge_case) where learners' code breaks and ordinary random networks
    # never go (verify's --edge-networks, on by default; crosscheck run draws none)
    edges: bool = False
    architecture: str = "mlp"  # or "cnn" (see ARCHITECTURES)
    # cnn only: one fixed network in describe()'s words ("3x8x8 conv(4,3x3,s1,p1)-relu-
    # max(2,s2)-affine(10) [loss] [l2=X]"; reference.cnn_spec.parse_cnn) instead of random
    # ones; a loss or l2 it leaves out is drawn per network
    cnn: str | None = None
    # the conventions of every network (NetworkSpec's fields, reference/spec.py; mlp only)
    reduction: str = "mean"
    l2_convention: str = "batch"
    bias: bool = True

    def __post_init__(self) -> None:
        if self.architecture not in ARCHITECTURES:
            raise UsageError(f"unknown architecture {self.architecture!r}; known: "
                             f"{', '.join(ARCHITECTURES)}")
        if self.cnn is not None:
            if self.architecture != "cnn":
                raise UsageError(f"{option('cnn')} describes a CNN-style network: it goes "
                                 f"with {option('architecture', 'cnn')}")
            try:  # the network must be one: shapes through every layer, the scores last
                shape, layers, loss, l2 = parse_cnn(self.cnn)
                CNNSpec(input_shape=shape, layers=layers, loss=loss or "softmax_cross_entropy",
                        l2=0.0 if l2 is None else l2)
            except ValueError as exc:
                raise UsageError(f"{option('cnn')}: {exc}") from None
            if l2 is not None and self.l2 is not None:
                raise UsageError(f"{option('cnn')} sets l2={l2:g} and {option('l2')} sets "
                                 f"{self.l2:g}: give it once")

    def to_dict(self) -> dict:
        if self.architecture != "mlp":  # only what a CNN campaign reads
            return {"architecture": self.architecture,
                    **{name: getattr(self, name) for name in CNN_FIELDS}}
        return {
            "networks": self.networks, "seed": self.seed,
            "sizes": list(self.sizes) if self.sizes else None, "losses": list(self.losses),
            "hidden_activations": list(self.hidden_activations), "l2": self.l2,
            "batch": self.batch, "max_depth": self.max_depth, "max_width": self.max_width,
            "scale": self.scale,
            "activations": list(self.activations) if self.activations else None,
            "output_activations": (list(self.output_activations) if self.output_activations
                                   else None),
            "targets": self.targets, "edges": self.edges,
            # the conventions only where they are not the defaults: a default campaign's
            # report.json is unchanged
            **{name: getattr(self, name) for name, default in CONVENTIONS.items()
               if getattr(self, name) != default},
        }


def network_options(*, losses: tuple[str, ...] | None = None,
                    activations: tuple[str, ...] | None = None,
                    hidden_activations: tuple[str, ...] | None = None,
                    output_activations: tuple[str, ...] | None = None,
                    targets: str = "any", sizes: tuple[int, ...] | None = None,
                    **fields) -> CampaignOptions:
    """The campaign for these choices, or a one-line :class:`UsageError` when they contradict
    each other. ``None`` means "not given": an unnamed loss list is narrowed to what the other
    choices allow (a ``sigmoid`` output draws no logit loss; ``targets="labels"`` draws
    softmax cross-entropy), a named one that they rule out is an error."""
    if targets not in TARGETS:
        raise UsageError(f"unknown targets {targets!r}; known: {', '.join(TARGETS)}")
    if activations is not None:
        if hidden_activations is not None or output_activations is not None:
            raise UsageError(f"{option('activations')} sets every layer's activation: drop "
                             f"{option('hidden_activations')} and {option('output_activation')}, "
                             f"or use those two instead of it")
        if len(activations) > 1 and sizes is not None and len(activations) != len(sizes) - 1:
            raise UsageError(f"{option('activations')} names {len(activations)} layers "
                             f"({','.join(activations)}) but {option('sizes')} "
                             f"{'-'.join(map(str, sizes))} has {len(sizes) - 1}")
        output = activations[-1:]
    else:
        output = output_activations
    named = losses is not None
    if losses is None:
        losses = LABEL_LOSSES if targets == "labels" else DEFAULT_LOSSES
    if targets == "labels" and any(loss not in LABEL_LOSSES for loss in losses):
        other = ", ".join(loss for loss in losses if loss not in LABEL_LOSSES)
        raise UsageError(f"{option('targets', 'labels')} (integer class indices) applies only "
                         f"to {option('loss')} "
                         f"{', '.join(LABEL_LOSSES)}, not {other}")
    if output is not None and "identity" not in output:
        flag = option("activations" if activations is not None else "output_activation")
        logit = [loss for loss in losses if loss in LOGIT_LOSSES]
        if logit and (named or targets == "labels"):
            why = f" (implied by {option('targets', 'labels')})" if not named else ""
            raise UsageError(f"{flag} {','.join(activations or output)} puts "
                             f"{'/'.join(output)} on the output layer, but {logit[0]}{why} "
                             f"applies its own squashing to raw logits: its output layer must "
                             f"be identity")
        losses = tuple(loss for loss in losses if loss not in LOGIT_LOSSES)
    return CampaignOptions(losses=tuple(losses), sizes=sizes, targets=targets,
                           activations=tuple(activations) if activations else None,
                           hidden_activations=tuple(hidden_activations or DEFAULT_ACTIVATIONS),
                           output_activations=(tuple(output_activations) if output_activations
                                               else None),
                           **fields)


def case_for(options: CampaignOptions, index: int) -> Case:
    """Case ``index`` of the campaign: its own Generator seeded with (seed, index), so any case
    can be regenerated alone."""
    return edged_case_for(options, index)[0]


def edged_case_for(options: CampaignOptions, index: int) -> tuple[Case, str]:
    """(:func:`case_for`, the edge it was moved to: an entry of ``EDGES``, or "" when the
    network is an ordinary one or its edge did not apply to it)."""
    rng = np.random.default_rng([options.seed, index])
    if options.architecture == "cnn" and options.cnn:
        shape, layers, loss, l2 = parse_cnn(options.cnn)
        spec = CNNSpec(input_shape=shape, layers=layers)
        return fixed_cnn_case(rng, spec, batch=options.batch, loss=loss,
                              l2=l2 if l2 is not None else options.l2), ""
    if options.architecture == "cnn":
        return random_cnn_case(rng, batch=options.batch, l2=options.l2), ""
    kind = EDGES[index % 5 - 3] if options.edges and index % 5 in (3, 4) else None
    losses, extra = options.losses, {}
    if kind == "large-logits" and set(losses) & set(LOGIT_LOSSES):
        allowed = [x for x in LOGIT_LOSSES if x in losses]  # each in turn, softmax first
        losses = (allowed[(index // 5) % len(allowed)],)
    if kind == "relu-ties" and options.sizes is None and options.max_depth >= 2 and (
            options.activations is None or len(options.activations) == 1):
        extra = {"min_depth": 2}
    case = random_case(rng, sizes=options.sizes, losses=losses,
                       hidden_activations=options.hidden_activations, l2=options.l2,
                       batch=options.batch, max_depth=options.max_depth,
                       max_width=options.max_width, scale=options.scale,
                       activations=options.activations,
                       output_activations=options.output_activations, targets=options.targets,
                       **{name: getattr(options, name) for name in CONVENTIONS}, **extra)
    if not kind:
        return case, ""
    # the ReLU ties need ReLU allowed on the first layer
    first = options.activations[:1] if options.activations else options.hidden_activations
    moved = edge_case(case, kind, rng, first)
    return moved, kind if moved is not case else ""


@dataclass(frozen=True)
class CampaignResult:
    """A campaign's cases, frozen once made: its driver (the API, ``crosscheck run``) adds the
    conclusion, the notes and each case's diagnosis with :func:`dataclasses.replace`."""

    options: CampaignOptions
    subject: str
    oracles: tuple
    cases: tuple[CaseResult, ...] = ()
    seconds: float = 0.0
    # one sentence over the whole campaign, set by whoever drives it (the diagnosis for verify)
    conclusion: str = ""
    # what the campaign could not do, and why (shrinking a CNN, ...): shown under the summary
    notes: tuple[str, ...] = ()
    # the re-runs' wall-clock safety net (crosscheck.engine.budget.SafetyNet.to_dict), when
    # re-runs followed the campaign: {"limit_seconds", "fired", "cut"}; None otherwise
    safety_net: dict | None = None

    def __post_init__(self) -> None:  # the lists a caller hands in, made read-only
        for name in ("oracles", "cases", "notes"):
            if not isinstance(getattr(self, name), tuple):
                object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def failures(self) -> list[CaseResult]:
        return [c for c in self.cases if c.verdict == "fail"]

    @property
    def verdict(self) -> str:
        return "fail" if self.failures else "pass"


# A function that times out on this many networks in a row is not called again: each call
# would cost the whole --timeout (200 networks x 10 s), and the verdict is already a failure.
STOP_AFTER_TIMEOUTS = 3


def check_comparable(options: CampaignOptions, oracles: list) -> None:
    """A :class:`UsageError` when the oracles chosen can never give a verdict: on no network
    of the campaign do :data:`~crosscheck.engine.check.MIN_INDEPENDENT` independent answers
    apply (one oracle named; fd with complex-step, which share crosscheck's own forward;
    complex-step beside one framework on ReLU networks, which it sits out)."""
    def sources(spec) -> set[str]:
        return {answer_source(o.kind, o.name) for o in oracles
                if not hasattr(o, "applies") or o.applies(spec)}

    if any(len(sources(case_for(options, index).spec)) >= MIN_INDEPENDENT
           for index in range(options.networks)):
        return
    names = ", ".join(o.name for o in oracles) or "none"
    sat_out = [o.name for o in oracles if hasattr(o, "applies")]
    limit = ("covers MLP networks only" if options.architecture == "cnn"
             else "needs analytic activations, and these networks have relu")
    why = f" ({', '.join(sat_out)} {limit})" if sat_out else ""
    raise UsageError(f"the oracles chosen ({names}) give fewer than {MIN_INDEPENDENT} independent "
                     f"answers on every network{why}: a verdict needs {MIN_INDEPENDENT} besides "
                     f"the subject's (torch, tensorflow, and fd or complex-step)")


def _sat_out_note(result: CampaignResult, oracles: list) -> str:
    """Which oracles sat networks out (did not apply to them), and how many: "" for none."""
    counts = {o.name: sum(1 for c in result.cases if o.name in c.skipped and not o.applies(c.spec))
              for o in oracles if hasattr(o, "applies")}
    parts = [f"{name} sat out {k} of {len(result.cases)} networks" for name, k in counts.items() if k]
    if not parts:
        return ""
    lone = sum(1 for c in result.cases if c.error_kind == UNCOMPARED)
    return (", ".join(parts) + " (it does not apply to them)"
            + (f"; on {lone} of them too few answers were left for a verdict: each is a failure"
               if lone else ""))


def run_campaign(subject_fn, subject: str, oracles: list, options: CampaignOptions,
                 progress: Callable[[int, int, CaseResult], None] | None = None,
                 tolerance: SubjectTolerance | None = None) -> CampaignResult:
    check_comparable(options, oracles)
    cases: list[CaseResult] = []
    notes: list[str] = []
    t0 = time.perf_counter()
    for index in range(options.networks):
        case, edge = edged_case_for(options, index)
        r = too_few_answers(check_case(case, subject_fn, oracles, subject=subject, index=index,
                                       case_seed=[options.seed, index], tolerance=tolerance))
        r = replace(r, edge=edge) if edge else r
        cases.append(r)
        if progress is not None:
            progress(index + 1, options.networks, r)
        hung = [c.index for c in cases[-STOP_AFTER_TIMEOUTS:] if c.error_kind == "timeout"]
        if len(hung) == STOP_AFTER_TIMEOUTS and index + 1 < options.networks:
            notes.append(
                f"stopped after networks {', '.join(map(str, hung[:-1]))} and {hung[-1]} timed "
                f"out in a row: the other {options.networks - index - 1} network(s) were not run")
            break
    result = CampaignResult(options=options, subject=subject, oracles=[o.name for o in oracles],
                            cases=cases, seconds=time.perf_counter() - t0, notes=notes)
    note = _sat_out_note(result, oracles)
    return replace(result, notes=(*result.notes, note)) if note else result
