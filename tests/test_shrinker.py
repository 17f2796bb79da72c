"""The generic shrinker (crosscheck/engine/shrinker.py) and each named pass of the MLP, CNN and
layer shrinkers, alone, on synthetic predicates: no subject, no oracle runs here."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pytest
from crosscheck.reference.cnn_params import check_cnn_inputs
from crosscheck.reference.cnn_sampling import batchnorm_sees_enough, random_cnn_case
from crosscheck.reference.cnn_spec import Affine, Conv
from crosscheck.reference.sampling import random_case
from crosscheck.reference.space import BATCH, WIDTH, min_output_width

from crosscheck.engine.shrink import cnn_key, cnn_passes, mlp_key, mlp_passes
from crosscheck.engine.shrinker import Pass, Shrinker, StopShrinking, shrink
from crosscheck.layers.cases import SPACES, Shape, size
from crosscheck.layers.shrink import layer_passes


@dataclass(frozen=True)
class Toy:
    width: int
    batch: int


def _lower(field: str):
    return lambda v: (replace(v, **{field: x}) for x in sorted({1, getattr(v, field) // 2,
                                                                 getattr(v, field) - 1})
                      if x < getattr(v, field))


TOY_PASSES = (Pass("width", _lower("width")), Pass("batch", _lower("batch")))


def _toy_key(v: Toy) -> tuple:
    return (v.width + v.batch, v.width)


def _fails(v: Toy) -> bool:  # "fails iff width >= 3 and batch is even"
    return v.width >= 3 and v.batch % 2 == 0


class Counting:
    """A predicate that counts its calls and remembers what it was asked."""

    def __init__(self, fn):
        self.fn, self.asked = fn, []

    def __call__(self, v) -> bool:
        self.asked.append(v)
        return self.fn(v)


# ---- the generic shrinker ----------------------------------------------------------------------

def test_it_finds_the_smallest_value_failing_the_same_way():
    found = shrink(Toy(40, 16), _fails, TOY_PASSES, sort_key=_toy_key, max_tries=1000)
    assert found.value == Toy(3, 2) and found.stopped == "done"
    assert found.steps == len(found.passes) and set(found.passes) == {"width", "batch"}


@pytest.mark.parametrize("name, start, smallest", [("width", Toy(40, 16), Toy(3, 16)),
                                                    ("batch", Toy(40, 16), Toy(40, 2))])
def test_each_toy_pass_alone(name, start, smallest):
    only = [p for p in TOY_PASSES if p.name == name]
    found = shrink(start, _fails, only, sort_key=_toy_key, max_tries=1000)
    assert found.value == smallest and set(found.passes) == {name}


def test_every_predicate_call_is_on_a_strictly_simpler_value_and_every_yes_is_taken():
    pred = Counting(_fails)
    s = Shrinker(Toy(40, 16), pred, TOY_PASSES, sort_key=_toy_key, max_tries=1000)
    found = s.shrink()
    assert found.tries == len(pred.asked)
    yes = [v for v in pred.asked if _fails(v)]
    assert len(yes) == found.steps and yes[-1] == found.value
    chain = [Toy(40, 16), *yes]
    assert all(_toy_key(b) < _toy_key(a) for a, b in zip(chain, chain[1:], strict=False))


def test_a_pass_proposing_bigger_or_equal_values_costs_no_try():
    grow = Pass("grow", lambda v: [Toy(v.width + 1, v.batch), v])
    pred = Counting(_fails)
    found = shrink(Toy(5, 4), pred, [grow], sort_key=_toy_key, max_tries=10)
    assert found.value == Toy(5, 4) and found.tries == 0 and pred.asked == []
    assert found.stopped == "done"


@pytest.mark.parametrize("budget", [0, 1, 2, 5, 7])
def test_the_budget_stops_it_after_exactly_n_tries(budget):
    pred = Counting(_fails)
    found = shrink(Toy(40, 16), pred, TOY_PASSES, sort_key=_toy_key, max_tries=budget)
    assert found.tries == budget == len(pred.asked)
    assert found.stopped == "budget"
    unlimited = shrink(Toy(40, 16), _fails, TOY_PASSES, sort_key=_toy_key, max_tries=1000)
    assert unlimited.tries > budget  # there was more to try


def test_same_value_and_same_answers_give_the_same_result():
    runs = [shrink(Toy(97, 30), Counting(_fails), TOY_PASSES, sort_key=_toy_key, max_tries=25)
            for _ in range(3)]
    assert len({(r.value, r.steps, r.tries, r.passes, r.stopped) for r in runs}) == 1


def test_a_predicate_that_must_stop_ends_the_search_with_what_it_had():
    calls = []

    def pred(v):
        calls.append(v)
        if len(calls) == 3:
            raise StopShrinking
        return _fails(v)

    found = shrink(Toy(40, 16), pred, TOY_PASSES, sort_key=_toy_key, max_tries=100)
    assert found.stopped == "stopped" and found.tries == 3
    assert found.value == ([Toy(40, 16)] + [v for v in calls[:2] if _fails(v)])[-1]


def test_pass_names_must_differ():
    with pytest.raises(ValueError, match="differ"):
        Shrinker(Toy(1, 1), _fails, [TOY_PASSES[0], TOY_PASSES[0]], sort_key=_toy_key,
                 max_tries=1)


# ---- the MLP passes, each alone ----------------------------------------------------------------

def _mlp_case():
    return random_case(np.random.default_rng(11), sizes=(7, 9, 6, 5), batch=16,
                       losses=("mse",), l2=0.4)


def _mlp_pass(name):
    (p,) = [p for p in mlp_passes([0, 0]) if p.name == name]
    return p


def _mlp_fails(c) -> bool:  # "fails iff some hidden width >= 3 and the batch is even"
    return max(c.spec.sizes[1:-1], default=0) >= 3 and c.batch % 2 == 0


def test_mlp_passes_are_named_and_ordered_cheapest_first():
    assert [p.name for p in mlp_passes([0, 0])] == ["drop a layer", "smaller batch", "narrower",
                                                   "l2 to 0"]


def test_mlp_drop_a_layer_alone():
    found = shrink(_mlp_case(), _mlp_fails, [_mlp_pass("drop a layer")], sort_key=mlp_key,
                   max_tries=100)
    small = found.value
    assert small.spec.depth == 2 and small.batch == 16 and small.spec.l2 == 0.4
    assert set(small.params) == {"W1", "b1", "W2", "b2"}
    assert small.params["W1"].shape == (7, small.spec.sizes[1])
    np.testing.assert_array_equal(small.X, _mlp_case().X)  # the data is kept


def test_mlp_smaller_batch_alone():
    found = shrink(_mlp_case(), _mlp_fails, [_mlp_pass("smaller batch")], sort_key=mlp_key,
                   max_tries=100)
    small = found.value
    assert small.batch == 2 and small.spec == _mlp_case().spec
    np.testing.assert_array_equal(small.X, _mlp_case().X[:2])  # the first rows kept


def test_mlp_narrower_alone():
    found = shrink(_mlp_case(), _mlp_fails, [_mlp_pass("narrower")], sort_key=mlp_key,
                   max_tries=100)
    small = found.value
    assert small.spec.sizes[0] == small.spec.sizes[-1] == WIDTH.lo
    assert max(small.spec.sizes[1:-1]) == 3 and min(small.spec.sizes[1:-1]) == 1
    assert small.params["W1"].shape == small.spec.sizes[:2]
    start = _mlp_case()
    np.testing.assert_array_equal(small.X, start.X[:, :1])  # the first inputs kept


def test_mlp_narrower_keeps_two_classes_under_softmax():
    case = random_case(np.random.default_rng(2), sizes=(3, 4, 6), batch=4,
                       losses=("softmax_cross_entropy",), targets="labels")
    found = shrink(case, lambda c: True, [_mlp_pass("narrower")], sort_key=mlp_key,
                   max_tries=100)
    assert found.value.spec.sizes == (1, 1, min_output_width("softmax_cross_entropy"))
    assert found.value.Y.max() <= 1  # labels of the classes cut away: the last class kept


def test_mlp_l2_to_0_alone():
    found = shrink(_mlp_case(), _mlp_fails, [_mlp_pass("l2 to 0")], sort_key=mlp_key,
                   max_tries=100)
    assert found.value.spec.l2 == 0.0 and found.tries == 1


def test_mlp_passes_together_reach_the_smallest_failing_network():
    found = shrink(_mlp_case(), _mlp_fails, mlp_passes([0, 0]), sort_key=mlp_key,
                   max_tries=1000)
    small = found.value
    assert small.spec.sizes == (1, 3, 1) and small.batch == 2 and small.spec.l2 == 0.0
    assert found.stopped == "done"


def test_mlp_batches_come_from_the_declared_space():
    assert BATCH.simpler(12) == (1, 6) and BATCH.simpler(1) == () and BATCH.simpler(2) == (1,)


# ---- the CNN passes, each alone ----------------------------------------------------------------

def _cnn_case():
    """A failing-looking CNN with a conv, a hidden affine layer and batch 4."""
    for i in range(200):
        case = random_cnn_case(np.random.default_rng([5, i]), batch=4, l2=0.3)
        layers = case.spec.layers
        if (any(isinstance(x, Conv) and x.filters >= 3 and x.kernel >= 2 for x in layers)
                and sum(isinstance(x, Affine) for x in layers) == 2 and layers[-1].units >= 3):
            return case
    raise AssertionError("no such network in 200 draws")


def _cnn_pass(name):
    (p,) = [p for p in cnn_passes([0, 0]) if p.name == name]
    return p


def _cnn_fails(c) -> bool:  # "fails iff some conv has >= 2 filters and the batch is even"
    return c.batch % 2 == 0 and any(isinstance(x, Conv) and x.filters >= 2
                                    for x in c.spec.layers)


def _valid_cnn(c) -> bool:
    check_cnn_inputs(c.params, c.X, c.Y, c.spec)
    return batchnorm_sees_enough(c.spec, c.batch)


def test_cnn_passes_are_named():
    assert [p.name for p in cnn_passes([0, 0])] == [
        "drop a layer", "smaller batch", "fewer units", "smaller input", "smaller kernel",
        "l2 to 0"]


@pytest.mark.parametrize("name", ["drop a layer", "smaller batch", "fewer units",
                                  "smaller input", "smaller kernel", "l2 to 0"])
def test_each_cnn_pass_alone_only_proposes_simpler_valid_networks(name):
    start = _cnn_case()
    proposed = list(_cnn_pass(name).propose(start))
    assert proposed, name
    assert all(cnn_key(c) < cnn_key(start) and _valid_cnn(c) for c in proposed)
    found = shrink(start, _cnn_fails, [_cnn_pass(name)], sort_key=cnn_key, max_tries=200)
    assert found.steps >= 1 and set(found.passes) == {name}
    assert _cnn_fails(found.value) and _valid_cnn(found.value)


def test_cnn_smaller_batch_fewer_units_and_l2():
    start = _cnn_case()
    batch = shrink(start, _cnn_fails, [_cnn_pass("smaller batch")], sort_key=cnn_key,
                   max_tries=50).value
    assert batch.batch == 2 and batch.spec == start.spec
    np.testing.assert_array_equal(batch.X, start.X[:2])
    units = shrink(start, _cnn_fails, [_cnn_pass("fewer units")], sort_key=cnn_key,
                   max_tries=200).value
    assert _cnn_fails(units) and units.spec.n_classes == 2  # the scores' floor (CNN_CLASSES)
    assert units.Y.max() <= 1
    l2 = shrink(start, _cnn_fails, [_cnn_pass("l2 to 0")], sort_key=cnn_key, max_tries=5)
    assert l2.value.spec.l2 == 0.0 and l2.tries == 1


# ---- the layer passes, each alone -------------------------------------------------------------

def test_layer_passes_are_one_per_dimension_of_the_space():
    assert [p.name for p in layer_passes("conv")] == [f"lower {d.name}" for d in SPACES["conv"]]


@pytest.mark.parametrize("dim", ["n", "d"])
def test_each_layer_pass_alone(dim):
    start = Shape("batchnorm", {"n": 6, "d": 5}, values=3)
    (p,) = [p for p in layer_passes("batchnorm") if p.name == f"lower {dim}"]

    def fails(shape):  # "fails iff d >= 3 and n is even"
        return shape.dims["d"] >= 3 and shape.dims["n"] % 2 == 0

    found = shrink(start, fails, [p], sort_key=size, max_tries=100)
    want = {"n": 2, "d": 5} if dim == "n" else {"n": 6, "d": 3}
    assert found.value.dims == want and set(found.passes) == {p.name}
