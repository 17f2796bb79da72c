"""The space of cases, declared once: each dimension's bounds, how a seeded draw picks it, and
what "simpler" means for it.

Three readers, one declaration (the pattern of ``crosscheck/layers/cases.py`` for layers):

- the seeded draws of ``crosscheck run``/``verify`` (``reference/sampling.py`` for MLPs,
  ``reference/cnn_sampling.py`` for CNN-style networks) call each dimension's ``draw``, in
  the order they always have, so a seed gives the networks it always gave;
- the gate's hypothesis strategies (``tests/strategies.py``) read the same bounds and choices;
- the shrinker's passes (``crosscheck/engine/shrink.py``) lower a dimension through its
  ``simpler`` values, and compare cases with :func:`mlp_key` / :func:`cnn_key`, the one
  definition of "simpler" for a whole case.

numpy only; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cnn_spec import CNN_LOSSES
from .spec import ACTIVATIONS, DEFAULT_ACTIVATIONS, DEFAULT_LOSSES, LOGIT_LOSSES, LOSSES, TARGETS

__all__ = ["ACTIVATION", "ALL_ACTIVATIONS", "BATCH", "CNN_BATCH", "CNN_CHANNELS", "CNN_CLASSES",
           "CNN_FILTERS", "CNN_HIDDEN_UNITS", "CNN_KERNEL", "CNN_L2", "CNN_LOSS", "CNN_SCALE", "CNN_SIDE",
           "DEPTH", "ALL_LOSSES", "EDGES", "L2", "LOSS", "OUTPUT_ACTIVATION", "SCALE", "TARGET", "WIDTH",
           "Choice", "Count", "Penalty", "cnn_key", "min_output_width", "mlp_key",
           "output_activation_allowed"]


@dataclass(frozen=True)
class Count:
    """An integer dimension drawn in [lo, hi] (the default bounds of a draw); simpler is
    lower, down to ``floor`` (default ``lo``; or a floor the rest of the case sets)."""

    name: str
    lo: int
    hi: int
    floor: int | None = None

    def draw(self, rng: np.random.Generator, lo: int | None = None, hi: int | None = None,
             size: int | None = None):
        """``rng.integers(lo, hi + 1)``: an int, or an array of ``size`` of them."""
        lo = self.lo if lo is None else lo
        hi = self.hi if hi is None else hi
        if size is None:
            return int(rng.integers(lo, hi + 1))
        return rng.integers(lo, hi + 1, size=size)

    def simpler(self, value: int, floor: int | None = None) -> tuple[int, ...]:
        """The values to try below ``value``, simplest first: the floor, then half of it."""
        floor = floor if floor is not None else self.lo if self.floor is None else self.floor
        return tuple(v for v in sorted({floor, value // 2}) if floor <= v < value)


@dataclass(frozen=True)
class Choice:
    """One of ``choices`` (a repeated choice is drawn more often); ``simplest`` is where
    shrinking goes."""

    name: str
    choices: tuple
    simplest: object

    def draw(self, rng: np.random.Generator, choices: tuple | None = None):
        """``rng.choice`` over ``choices`` (default: all), as a plain Python value."""
        return type(self.simplest)(rng.choice(list(self.choices if choices is None else choices)))


@dataclass(frozen=True)
class Penalty:
    """An L2 penalty: 0 half the time, otherwise uniform in [lo, hi] to 3 decimals; simplest 0."""

    name: str
    lo: float
    hi: float
    simplest: float = 0.0

    def draw(self, rng: np.random.Generator) -> float:
        return 0.0 if rng.random() < 0.5 else float(np.round(rng.uniform(self.lo, self.hi), 3))


# ---- MLP networks (NetworkSpec) ---------------------------------------------------------------

DEPTH = Count("depth", 1, 4)  # layers; simpler: drop a hidden layer
WIDTH = Count("width", 1, 32)  # every entry of sizes, input and output included
BATCH = Count("batch", 1, 16)
LOSS = Choice("loss", DEFAULT_LOSSES, "mse")  # what is drawn unless losses are named
ALL_LOSSES = Choice("loss", LOSSES, "mse")  # what may be named (and the gate draws)
# what is drawn unless activations are named (reference/ops.py's default records: a record
# added later is drawn only when named, so a seed keeps its networks); ALL_ACTIVATIONS may be named
ACTIVATION = Choice("activation", DEFAULT_ACTIVATIONS, "identity")  # a hidden layer's
OUTPUT_ACTIVATION = Choice("output activation", DEFAULT_ACTIVATIONS, "identity")  # under mse, half_sse
ALL_ACTIVATIONS = Choice("activation", ACTIVATIONS, "identity")
L2 = Penalty("l2", 0.01, 2.0)
SCALE = Choice("scale", (0.5, 1.0, 1.0, 1.0, 2.0, 4.0), 1.0)  # init scale: mostly 1, 4 saturates
TARGET = Choice("targets", TARGETS, "any")
# networks moved to an edge where learners' code breaks (reference.sampling.edge_case)
EDGES: tuple[str, ...] = ("relu-ties", "large-logits")


def min_output_width(loss: str) -> int:
    """The fewest outputs a network under ``loss`` may have: a softmax over one class is
    constant (nothing to check), so softmax cross-entropy wants two."""
    return 2 if loss == "softmax_cross_entropy" else WIDTH.lo


def output_activation_allowed(loss: str) -> tuple[str, ...]:
    """The output activations ``loss`` allows: identity (logits) for the logit losses."""
    return ("identity",) if loss in LOGIT_LOSSES else ACTIVATIONS


def mlp_key(sizes: tuple[int, ...], batch: int, l2: float) -> tuple:
    """How big an MLP case is, smaller is simpler: fewer layers, then fewer units plus rows,
    then no penalty. The shrinker's one definition of "simpler"."""
    return (len(sizes) - 1, batch + sum(sizes), l2 > 0)


# ---- CNN-style networks (CNNSpec) -------------------------------------------------------------

CNN_BATCH = Count("batch", 1, 4)
CNN_CHANNELS = Count("channels", 1, 3)
CNN_SIDE = Count("side", 4, 9, floor=1)  # input height and width
CNN_KERNEL = Count("kernel", 1, 3)
CNN_FILTERS = Count("filters", 1, 4)
CNN_HIDDEN_UNITS = Count("units", 2, 8, floor=1)  # the optional hidden affine layer
CNN_CLASSES = Count("classes", 2, 6)  # the scores' affine layer
CNN_LOSS = Choice("loss", CNN_LOSSES, "softmax_cross_entropy")
CNN_L2 = Penalty("l2", 0.01, 1.0)
CNN_SCALE = Choice("scale", (0.5, 1.0, 1.0, 1.0, 2.0), 1.0)


def cnn_key(n_params: int, n_layers: int, batch: int, input_size: int, l2: float) -> tuple:
    """How big a CNN case is, smaller is simpler: fewer layers, then fewer parameters plus
    input values, then no penalty."""
    return (n_layers, n_params + batch * input_size, l2 > 0)
