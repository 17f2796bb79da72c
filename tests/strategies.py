"""Hypothesis strategies for whole networks: compose, keyword-only min_*/max_* options.

Structure (depth, widths, activations, loss, l2, batch, scale) is drawn by hypothesis and
shrinks; array values come from a numpy Generator seeded by a drawn integer.
"""

from __future__ import annotations

import numpy as np
from crosscheck.reference import (
    ACTIVATIONS,
    LABEL_LOSSES,
    LOGIT_LOSSES,
    LOSSES,
    Case,
    NetworkSpec,
    init_params,
    random_batch,
)
from hypothesis import strategies as st

__all__ = ["cases", "specs"]


@st.composite
def specs(draw, *, min_depth: int = 1, max_depth: int = 5, min_width: int = 1, max_width: int = 32,
          losses: tuple[str, ...] = LOSSES, activations: tuple[str, ...] = ACTIVATIONS,
          l2: float | None = None) -> NetworkSpec:
    depth = draw(st.integers(min_depth, max_depth), label="depth")
    sizes = draw(st.lists(st.integers(min_width, max_width), min_size=depth + 1,
                          max_size=depth + 1), label="sizes")
    loss = draw(st.sampled_from(losses), label="loss")
    if loss == "softmax_cross_entropy" and sizes[-1] < 2:
        sizes[-1] = 2  # one class: the loss is constant
    hidden = draw(st.lists(st.sampled_from(activations), min_size=depth - 1, max_size=depth - 1),
                  label="hidden activations")
    last = "identity" if loss in LOGIT_LOSSES else draw(st.sampled_from(ACTIVATIONS), label="out")
    if l2 is None:
        l2 = draw(st.one_of(st.just(0.0), st.floats(0.001, 2.0)), label="l2")
    return NetworkSpec(sizes=tuple(sizes), activations=(*hidden, last), loss=loss, l2=l2)


@st.composite
def cases(draw, *, min_batch: int = 1, max_batch: int = 16,
          scales: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0), **spec_options) -> Case:
    """A network with parameters and a batch; ``scales`` multiply the init (4 saturates).
    Under a loss that takes class labels, Y is integer labels (batch,) half the time."""
    spec = draw(specs(**spec_options))
    batch = draw(st.integers(min_batch, max_batch), label="batch")
    scale = draw(st.sampled_from(scales), label="scale")
    labels = spec.loss in LABEL_LOSSES and draw(st.booleans(), label="integer labels")
    seed = draw(st.integers(0, 2**32 - 1), label="value seed")
    rng = np.random.default_rng(seed)
    params = init_params(spec, rng, scale=scale)
    X, Y = random_batch(spec, batch, rng, "labels" if labels else "any")
    return Case(spec=spec, params=params, X=X, Y=Y, scale=scale)
