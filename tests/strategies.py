"""Hypothesis strategies for whole networks: compose, keyword-only min_*/max_* options.

Every dimension's bounds and choices come from its one declaration in
``crosscheck/reference/space.py`` (which the seeded draws and the shrinker read too):
:func:`count`, :func:`choice` and :func:`penalty` turn a declared dimension into a strategy.
Structure (depth, widths, activations, loss, l2, batch, scale) is drawn by hypothesis and
shrinks toward each dimension's simplest value; array values come from a numpy Generator
seeded by a drawn integer.
"""

from __future__ import annotations

import numpy as np
from crosscheck.reference import (
    LABEL_LOSSES,
    Case,
    NetworkSpec,
    init_params,
    random_batch,
    space,
)
from hypothesis import strategies as st

__all__ = ["cases", "choice", "count", "penalty", "specs"]


def count(dim: space.Count, *, lo: int | None = None, hi: int | None = None):
    """An integer of ``dim`` in [lo, hi] (default: the declared bounds); shrinks toward lo."""
    return st.integers(dim.lo if lo is None else lo, dim.hi if hi is None else hi)


def choice(dim: space.Choice, choices: tuple | None = None):
    """One of ``dim``'s choices (or ``choices``), each once, the simplest first (where
    hypothesis shrinks to)."""
    options = tuple(dict.fromkeys(choices or dim.choices))
    if dim.simplest in options:
        options = (dim.simplest, *(c for c in options if c != dim.simplest))
    return st.sampled_from(options)


def penalty(dim: space.Penalty):
    """``dim``'s simplest value (0) or a number in its declared range."""
    return st.one_of(st.just(dim.simplest), st.floats(dim.lo, dim.hi))


@st.composite
def specs(draw, *, min_depth: int = space.DEPTH.lo, max_depth: int = space.DEPTH.hi,
          min_width: int = space.WIDTH.lo, max_width: int = space.WIDTH.hi,
          losses: tuple[str, ...] = space.ALL_LOSSES.choices,
          activations: tuple[str, ...] = space.ALL_ACTIVATIONS.choices,
          l2: float | None = None) -> NetworkSpec:
    depth = draw(count(space.DEPTH, lo=min_depth, hi=max_depth), label="depth")
    width = count(space.WIDTH, lo=min_width, hi=max_width)
    sizes = draw(st.lists(width, min_size=depth + 1, max_size=depth + 1), label="sizes")
    loss = draw(choice(space.ALL_LOSSES, losses), label="loss")
    sizes[-1] = max(sizes[-1], space.min_output_width(loss))
    hidden = draw(st.lists(choice(space.ACTIVATION, activations), min_size=depth - 1,
                           max_size=depth - 1), label="hidden activations")
    last = draw(choice(space.OUTPUT_ACTIVATION, space.output_activation_allowed(loss)),
                label="out")
    if l2 is None:
        l2 = draw(penalty(space.L2), label="l2")
    return NetworkSpec(sizes=tuple(sizes), activations=(*hidden, last), loss=loss, l2=l2)


@st.composite
def cases(draw, *, min_batch: int = space.BATCH.lo, max_batch: int = space.BATCH.hi,
          scales: tuple[float, ...] = space.SCALE.choices, **spec_options) -> Case:
    """A network with parameters and a batch; ``scales`` multiply the init (4 saturates).
    Under a loss that takes class labels, Y is integer labels (batch,) half the time."""
    spec = draw(specs(**spec_options))
    batch = draw(count(space.BATCH, lo=min_batch, hi=max_batch), label="batch")
    scale = draw(choice(space.SCALE, scales), label="scale")
    labels = spec.loss in LABEL_LOSSES and draw(st.booleans(), label="integer labels")
    seed = draw(st.integers(0, 2**32 - 1), label="value seed")
    rng = np.random.default_rng(seed)
    params = init_params(spec, rng, scale=scale)
    X, Y = random_batch(spec, batch, rng, "labels" if labels else "any")
    return Case(spec=spec, params=params, X=X, Y=Y, scale=scale)
