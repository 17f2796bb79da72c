"""The network specification: the public contract every implementation is checked against."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .ops import ACTIVATION_OPS, LOSS_OPS

__all__ = ["ACTIVATIONS", "DEFAULT_ACTIVATIONS", "DEFAULT_LOSSES", "LABEL_LOSSES", "LOGIT_LOSSES",
           "LOSSES", "TARGETS", "NetworkSpec"]

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


@dataclass(frozen=True)
class NetworkSpec:
    """An MLP: ``a_l = act_l(a_{l-1} @ W_l + b_l)`` for l = 1..L, then ``loss`` plus L2.

    ``sizes = (n_in, h1, ..., n_out)``; ``activations`` has one name per layer;
    ``l2`` is lambda in the penalty ``lambda / (2 * batch) * sum_l ||W_l||^2`` (biases excluded).
    Construction validates everything and raises ``ValueError`` naming the bad field.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "mse"
    l2: float = 0.0

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
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "activations", acts)
        object.__setattr__(self, "l2", float(self.l2))

    @property
    def depth(self) -> int:
        """Number of affine layers L."""
        return len(self.sizes) - 1

    def param_names(self) -> tuple[str, ...]:
        """``('W1', 'b1', ..., 'WL', 'bL')``: the keys of params and grads, in layer order."""
        return tuple(n for layer in range(1, self.depth + 1) for n in (f"W{layer}", f"b{layer}"))

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """``W_l: (sizes[l-1], sizes[l])``, ``b_l: (sizes[l],)``."""
        shapes: dict[str, tuple[int, ...]] = {}
        for layer in range(1, self.depth + 1):
            shapes[f"W{layer}"] = (self.sizes[layer - 1], self.sizes[layer])
            shapes[f"b{layer}"] = (self.sizes[layer],)
        return shapes

    def describe(self) -> str:
        """A short human id such as ``4-16-3 relu,identity softmax_cross_entropy l2=0.1``."""
        sizes = "-".join(str(s) for s in self.sizes)
        return f"{sizes} {','.join(self.activations)} {self.loss} l2={self.l2:g}"

    def to_dict(self) -> dict:
        return {"sizes": list(self.sizes), "activations": list(self.activations),
                "loss": self.loss, "l2": self.l2}

    @classmethod
    def from_dict(cls, d: dict) -> NetworkSpec:
        return cls(sizes=tuple(d["sizes"]), activations=tuple(d["activations"]),
                   loss=d["loss"], l2=d.get("l2", 0.0))
