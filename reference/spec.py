"""The network specification: the public contract every implementation is checked against."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .ops import ACTIVATION_OPS, LOSS_OPS

__all__ = ["ACTIVATIONS", "CONVENTIONS", "DEFAULT_ACTIVATIONS", "DEFAULT_LOSSES", "L2_CONVENTIONS",
           "LABEL_LOSSES", "LOGIT_LOSSES", "LOSSES", "REDUCTIONS", "TARGETS", "NetworkSpec"]

# Every name below is derived from the records in reference/ops.py (one per operation).
ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATION_OPS)
# What a random network draws when no activation is named: the activations that existed
# before the records, so a seed keeps giving the same networks.
DEFAULT_ACTIVATIONS: tuple[str, ...] = tuple(n for n, op in ACTIVATION_OPS.items() if op.default)
LOSSES: tuple[str, ...] = tuple(LOSS_OPS)
# What a random network draws when no loss is named: the losses that existed before half_sse,
# so a seed keeps giving the same networks and a function written for those keeps passing.
DEFAULT_LOSSES: tuple[str, ...] = tuple(n for n, op in LOSS_OPS.items() if op.default)
# Losses that apply softmax / sigmoid themselves: the last layer must output raw logits.
LOGIT_LOSSES: tuple[str, ...] = tuple(n for n, op in LOSS_OPS.items() if op.logits)
# Losses that also take Y as integer class indices, shape (batch,), instead of rows.
LABEL_LOSSES: tuple[str, ...] = tuple(n for n, op in LOSS_OPS.items() if op.labels)
# How targets Y are drawn: "any" mixes what suits the loss; "labels" gives class indices.
TARGETS: tuple[str, ...] = ("any", "onehot", "soft", "labels")
# The conventions that change the mathematics (docs/contract.md), each default first. They live
# on the spec, so the reference, every oracle, the reproduction scripts and the diagnosis read
# them from the one object they all receive; loss_scale and l2_divisor below are their formulas.
# reduction: "mean", the losses of reference/ops.py (batch means); "sum", batch x that objective.
REDUCTIONS: tuple[str, ...] = ("mean", "sum")
# l2_convention: "batch", the penalty shares the loss's reduction (lambda / (2 batch) sum W^2
# beside a mean loss, lambda / 2 sum W^2 beside a summed one); "plain", lambda / 2 sum W^2
# always (CS231n's 0.5 * reg * sum(W * W)).
L2_CONVENTIONS: tuple[str, ...] = ("batch", "plain")
# NetworkSpec's convention fields and their defaults (bias=False: no b_l at all)
CONVENTIONS: dict = {"reduction": REDUCTIONS[0], "l2_convention": L2_CONVENTIONS[0], "bias": True}


@dataclass(frozen=True)
class NetworkSpec:
    """An MLP: ``a_l = act_l(a_{l-1} @ W_l + b_l)`` for l = 1..L, then ``loss`` plus L2.

    ``sizes = (n_in, h1, ..., n_out)``; ``activations`` has one name per layer;
    ``l2`` is lambda in the penalty ``lambda / (2 * batch) * sum_l ||W_l||^2`` (biases excluded).
    Construction validates everything and raises ``ValueError`` naming the bad field.

    Conventions (defaults: the contract's): ``reduction="sum"`` makes the objective batch x
    the mean one, loss and every gradient; ``l2_convention="plain"`` makes the penalty
    ``lambda / 2 * sum_l ||W_l||^2`` whatever the reduction; ``bias=False`` drops every
    ``b_l``: ``a_l = act_l(a_{l-1} @ W_l)``, and params hold ``W1..WL`` only.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "mse"
    l2: float = 0.0
    reduction: str = "mean"
    l2_convention: str = "batch"
    bias: bool = True

    def __post_init__(self) -> None:
        sizes = tuple(self.sizes) if isinstance(self.sizes, list | tuple) else self.sizes
        if not isinstance(sizes, tuple) or len(sizes) < 2:
            raise ValueError(
                f"sizes must be a sequence (n_in, ..., n_out) of at least 2 ints, got {self.sizes!r}")
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, int) or s < 1:
                raise ValueError(f"sizes must be positive ints, got {self.sizes!r}")
        acts = tuple(self.activations) if isinstance(self.activations, list | tuple) else None
        if acts is None or len(acts) != len(sizes) - 1:
            raise ValueError(
                f"activations must name one activation per layer ({len(sizes) - 1}), "
                f"got {self.activations!r}"
            )
        for a in acts:
            if a not in ACTIVATIONS:
                raise ValueError(f"unknown activation {a!r}; known: {', '.join(ACTIVATIONS)}")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; known: {', '.join(LOSSES)}")
        if self.loss in LOGIT_LOSSES and acts[-1] != "identity":
            raise ValueError(
                f"loss {self.loss} applies its own squashing: the last activation must be "
                f"'identity' (logits), got {acts[-1]!r}"
            )
        if isinstance(self.l2, bool) or not isinstance(self.l2, int | float):
            raise ValueError(f"l2 must be a number >= 0, got {self.l2!r}")
        if not math.isfinite(self.l2) or self.l2 < 0:
            raise ValueError(f"l2 must be finite and >= 0, got {self.l2!r}")
        if self.reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {', '.join(REDUCTIONS)}, "
                             f"got {self.reduction!r}")
        if self.l2_convention not in L2_CONVENTIONS:
            raise ValueError(f"l2_convention must be one of {', '.join(L2_CONVENTIONS)}, "
                             f"got {self.l2_convention!r}")
        if not isinstance(self.bias, bool):
            raise ValueError(f"bias must be True or False, got {self.bias!r}")
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "activations", acts)
        object.__setattr__(self, "l2", float(self.l2))

    @property
    def depth(self) -> int:
        """Number of affine layers L."""
        return len(self.sizes) - 1

    def layer_params(self, layer: int) -> tuple[str, ...]:
        """``('W{layer}', 'b{layer}')``, or ``('W{layer}',)`` for a network without biases."""
        return (f"W{layer}", f"b{layer}") if self.bias else (f"W{layer}",)

    def param_names(self) -> tuple[str, ...]:
        """``('W1', 'b1', ..., 'WL', 'bL')``: the keys of params and grads, in layer order
        (``('W1', ..., 'WL')`` without biases)."""
        return tuple(n for layer in range(1, self.depth + 1) for n in self.layer_params(layer))

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """``W_l: (sizes[l-1], sizes[l])``, ``b_l: (sizes[l],)``."""
        shapes: dict[str, tuple[int, ...]] = {}
        for layer in range(1, self.depth + 1):
            shapes[f"W{layer}"] = (self.sizes[layer - 1], self.sizes[layer])
            if self.bias:
                shapes[f"b{layer}"] = (self.sizes[layer],)
        return shapes

    def loss_scale(self, batch: int) -> float:
        """What multiplies the data loss of reference/ops.py (a batch mean) and its gradient:
        1 under ``reduction="mean"``, ``batch`` under ``"sum"``."""
        return float(batch) if self.reduction == "sum" else 1.0

    def l2_divisor(self, batch: int) -> float:
        """``d`` in the penalty ``lambda / (2 d) * sum_l ||W_l||^2`` (gradient ``lambda / d *
        W_l``): ``batch`` for the contract's mean objective, 1 for a summed one (batch x the
        mean objective) or ``l2_convention="plain"``."""
        return float(batch) if self.reduction == "mean" and self.l2_convention == "batch" else 1.0

    def conventions(self) -> dict:
        """The conventions that differ from the contract's defaults, by field name."""
        return {name: getattr(self, name) for name, default in CONVENTIONS.items()
                if getattr(self, name) != default}

    def describe(self) -> str:
        """A short human id such as ``4-16-3 relu,identity softmax_cross_entropy l2=0.1``
        (then ``reduction=sum``, ``l2_convention=plain``, ``no-bias`` where they apply)."""
        sizes = "-".join(str(s) for s in self.sizes)
        words = [f"{k}={v}" if k != "bias" else "no-bias" for k, v in self.conventions().items()]
        return " ".join([f"{sizes} {','.join(self.activations)} {self.loss} l2={self.l2:g}",
                         *words])

    def to_dict(self) -> dict:
        # the conventions only where they are not the defaults: a default spec's dict (and
        # every report.json written before them) is unchanged
        return {"sizes": list(self.sizes), "activations": list(self.activations),
                "loss": self.loss, "l2": self.l2, **self.conventions()}

    @classmethod
    def from_dict(cls, d: dict) -> NetworkSpec:
        return cls(sizes=tuple(d["sizes"]), activations=tuple(d["activations"]),
                   loss=d["loss"], l2=d.get("l2", 0.0),
                   **{k: d[k] for k in CONVENTIONS if k in d})

