"""The declared case space (reference/space.py) is what the seeded draws draw from."""

from __future__ import annotations

import numpy as np
from crosscheck.reference import space
from crosscheck.reference.cnn_sampling import random_cnn_case
from crosscheck.reference.cnn_spec import Affine, Conv
from crosscheck.reference.sampling import random_case


def test_mlp_draws_span_exactly_the_declared_bounds():
    cases = [random_case(np.random.default_rng([7, i])) for i in range(600)]
    depths = {c.spec.depth for c in cases}
    widths = {w for c in cases for w in c.spec.sizes}
    batches = {c.batch for c in cases}
    assert depths == set(range(space.DEPTH.lo, space.DEPTH.hi + 1))
    assert min(widths) == space.WIDTH.lo and max(widths) == space.WIDTH.hi
    assert batches == set(range(space.BATCH.lo, space.BATCH.hi + 1))
    assert {c.scale for c in cases} == set(space.SCALE.choices)
    assert {c.spec.loss for c in cases} == set(space.LOSS.choices)
    l2 = [c.spec.l2 for c in cases if c.spec.l2]
    assert space.L2.lo <= min(l2) and max(l2) <= space.L2.hi
    assert all(c.spec.sizes[-1] >= space.min_output_width(c.spec.loss) for c in cases)


def test_cnn_draws_stay_in_the_declared_bounds():
    cases = [random_cnn_case(np.random.default_rng([8, i])) for i in range(300)]
    assert {c.batch for c in cases} == set(range(space.CNN_BATCH.lo, space.CNN_BATCH.hi + 1))
    assert {c.spec.input_shape[0] for c in cases} == set(range(1, space.CNN_CHANNELS.hi + 1))
    sides = {s for c in cases for s in c.spec.input_shape[1:]}
    assert sides == set(range(space.CNN_SIDE.lo, space.CNN_SIDE.hi + 1))
    convs = [x for c in cases for x in c.spec.layers if isinstance(x, Conv)]
    assert max(x.filters for x in convs) == space.CNN_FILTERS.hi
    classes = {c.spec.n_classes for c in cases}
    assert classes == set(range(space.CNN_CLASSES.lo, space.CNN_CLASSES.hi + 1))
    hidden = {x.units for c in cases for x in c.spec.layers[:-1] if isinstance(x, Affine)}
    assert hidden <= set(range(space.CNN_HIDDEN_UNITS.lo, space.CNN_HIDDEN_UNITS.hi + 1))


def test_simpler_goes_to_the_floor_then_half():
    assert space.WIDTH.simpler(9) == (1, 4)
    assert space.WIDTH.simpler(9, floor=2) == (2, 4)
    assert space.WIDTH.simpler(2, floor=2) == ()
    assert space.CNN_SIDE.simpler(6) == (1, 3)  # its floor is below the draws' lowest
    assert space.CNN_CLASSES.simpler(3) == (2,)
