"""The random cases of a layer check, drawn by hypothesis.

A case is a :class:`Shape`: the kind's dimensions (batch, sizes, kernel, stride, padding,
pool window, dropout's p, leaky ReLU's alpha), a seed for the values, and a mode (``normal``,
``edge``: moved to where learners' code breaks, ``test``: the forward at inference). Each
kind's space of dimensions is written once, in :data:`SPACES`; :func:`strategy` is its
hypothesis strategy (the gate's property tests) and :func:`draw_shapes` the seeded draws of
``verify-layer``, boundary first. :func:`build` turns a shape into the arrays, the same ones
every time. Shrinking (``crosscheck/layers/shrink.py``) lowers the dimensions one at a time, a named
pass per dimension (:func:`smaller_in`), smaller meaning :func:`size`.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["SPACES", "Dim", "Shape", "build", "draw_shapes", "size", "smaller",
           "smaller_in", "strategy", "valid"]


@dataclass(frozen=True)
class Dim:
    """One dimension of a kind's cases: an integer in [lo, hi] (bounds may depend on the
    dimensions drawn before it) or one of ``choices``; shrinking goes toward lo or the first
    choice."""

    name: str
    lo: int | Callable = 1
    hi: int | Callable = 5
    choices: tuple = ()

    def bounds(self, dims: dict) -> tuple[int, int]:
        lo = self.lo(dims) if callable(self.lo) else self.lo
        hi = self.hi(dims) if callable(self.hi) else self.hi
        return lo, hi

    def allows(self, value, dims: dict) -> bool:
        if self.choices:
            return value in self.choices
        lo, hi = self.bounds(dims)
        return lo <= value <= hi


_ND = [Dim("n"), Dim("d")]
# trailing input dimensions (0: none), as affine's: the kinds CS231n says take input of any
# shape are drawn 2-D, 3-D and 4-D, so that code written for (N, D) alone fails
def _trailing_dims(hi: int) -> list[Dim]:
    return [Dim("k1", 0, hi), Dim("k2", 0, lambda d: hi if d["k1"] else 0)]


_TRAILING = _trailing_dims(3)
_ANY_RANK = [*_ND, *_TRAILING]
_CONV_SIDE = 9  # odd spatial sizes up to 9


def _conv_lo(k: str):
    return lambda d: max(1, d[k] - 2 * d["pad"])  # the padded input holds the kernel


SPACES: dict[str, list[Dim]] = {
    "affine": [Dim("n"), Dim("d"), Dim("m"), *_TRAILING],
    "relu": _ANY_RANK, "sigmoid": _ANY_RANK, "tanh": _ANY_RANK,
    "leaky_relu": [*_ANY_RANK, Dim("alpha", choices=(0.01, 0.1, 0.3))],
    "softmax_loss": [Dim("n"), Dim("c", 2, 5)],
    "svm_loss": [Dim("n"), Dim("c", 2, 5)],
    "batchnorm": [Dim("n", 2, 6), Dim("d")],
    "layernorm": [Dim("n", 2, 6), Dim("d")],
    # wide enough that a mask keeping with the wrong probability shows (layers/check.py)
    # (up to 2 x 2 trailing: at most 512 elements, each differenced alone)
    "dropout": [Dim("n", 1, 8), Dim("d", 1, 16), Dim("p", choices=(0.5, 0.3, 0.8)),
                *_trailing_dims(2)],
    "conv": [Dim("n", 1, 3), Dim("c", 1, 3), Dim("f", 1, 3), Dim("hh", 1, 3), Dim("ww", 1, 3),
             Dim("stride", choices=(1, 2)), Dim("pad", choices=(0, 1, 2)),
             Dim("h", _conv_lo("hh"), _CONV_SIDE), Dim("w", _conv_lo("ww"), _CONV_SIDE)],
    "max_pool": [Dim("n", 1, 3), Dim("c", 1, 3), Dim("ph", 1, 3), Dim("pw", 1, 3),
                 Dim("stride", 1, 3), Dim("h", lambda d: d["ph"], lambda d: d["ph"] + 6),
                 Dim("w", lambda d: d["pw"], lambda d: d["pw"] + 6)],
    "rnn_step": [Dim("n"), Dim("d"), Dim("h")],
    "word_embedding": [Dim("n"), Dim("t"), Dim("v", 2, 6), Dim("d", 1, 4)],
}
SPACES["avg_pool"] = SPACES["max_pool"]


@dataclass(frozen=True)
class Shape:
    kind: str
    dims: dict = field(hash=False)
    values: int = 0  # seeds the Generator that draws the arrays
    mode: str = "normal"  # "normal", "edge" or "test"

    def replace(self, **dims) -> Shape:
        return Shape(self.kind, {**self.dims, **dims}, self.values, self.mode)

    def to_dict(self) -> dict:
        return {"dims": dict(self.dims), "values": self.values, "mode": self.mode}


def valid(kind: str, dims: dict) -> bool:
    return all(d.allows(dims[d.name], dims) for d in SPACES[kind])


def strategy(kind: str):
    """The hypothesis strategy of the kind's cases: ``(dims, values seed)``."""
    from hypothesis import strategies as st

    @st.composite
    def shapes(draw):
        dims: dict = {}
        for d in SPACES[kind]:
            if d.choices:
                dims[d.name] = draw(st.sampled_from(d.choices), label=d.name)
            else:
                lo, hi = d.bounds(dims)
                dims[d.name] = draw(st.integers(lo, hi), label=d.name)
        return dims, draw(st.integers(0, 2**32 - 1), label="values")
    return shapes()


def draw_shapes(kind: str, count: int, seed: int) -> list[tuple[dict, int]]:
    """``count`` (dims, values seed) pairs for ``verify-layer``: the first at the boundary
    (every dimension at its least: batch 1, 1x1 kernels, no padding), the rest drawn from
    the same space as :func:`strategy`, a third of the dimensions at one of their bounds.

    A seeded Generator, not hypothesis: hypothesis mixes constants from whatever local
    modules are loaded into its draws and caches them under ``.hypothesis/`` in the working
    directory, so the same seed would give other cases in another directory or under
    pytest, and a run would write files into the user's project (and fail a health check
    under the user's own ``@given``). The gate checks the same space with hypothesis."""
    rng = np.random.default_rng([seed, zlib.crc32(kind.encode())])
    found = []
    for index in range(count):
        dims: dict = {}
        for d in SPACES[kind]:
            if d.choices:
                dims[d.name] = d.choices[0] if index == 0 else d.choices[rng.integers(len(d.choices))]
                continue
            lo, hi = d.bounds(dims)
            if index == 0:
                dims[d.name] = lo
            elif rng.random() < 1 / 3:
                dims[d.name] = int(rng.choice([lo, hi]))
            else:
                dims[d.name] = int(rng.integers(lo, hi + 1))
        found.append((dims, int(rng.integers(2**32))))
    return found


def size(shape: Shape) -> tuple:
    """What shrinking minimises: the number of input elements, then the dimensions."""
    arrays, _ = build(shape)
    return (sum(int(a.size) for a in arrays.values()),
            tuple(_order(d, shape.dims[d.name]) for d in SPACES[shape.kind]))


def _order(d: Dim, value):
    return d.choices.index(value) if d.choices else value


def smaller_in(shape: Shape, d: Dim):
    """Shapes smaller than ``shape`` in dimension ``d`` alone, each valid: the lowest value
    first, then halfway, then one less (a choice: the earlier choices)."""
    value = shape.dims[d.name]
    if d.choices:
        tries = list(d.choices[:d.choices.index(value)])
    else:
        lo, _ = d.bounds(shape.dims)
        tries = sorted({lo, (lo + value) // 2, value - 1} - {value})
        tries = [t for t in tries if lo <= t < value]
    for t in tries:
        dims = {**shape.dims, d.name: t}
        # lowering one dimension can move the bounds of a later one (a smaller pad
        # raises h's lower bound): clamp those up
        for later in SPACES[shape.kind]:
            if not later.choices:
                lo, hi = later.bounds(dims)
                dims[later.name] = min(max(dims[later.name], lo), hi)
        if valid(shape.kind, dims) and dims != shape.dims:
            yield Shape(shape.kind, dims, shape.values, shape.mode)


def smaller(shape: Shape):
    """Shapes one step smaller than ``shape``, one dimension at a time, in the order of the
    kind's space (:func:`smaller_in` for each)."""
    for d in SPACES[shape.kind]:
        yield from smaller_in(shape, d)


# ---- from a shape to arrays ------------------------------------------------------------------

def _x(rng, *shape):
    return rng.normal(size=shape)


def _trailing(d) -> list[int]:
    return [k for k in (d.get("k1", 0), d.get("k2", 0)) if k]


def _affine(d, rng):
    x = _x(rng, d["n"], d["d"], *_trailing(d))
    return {"x": x, "w": _x(rng, int(np.prod(x.shape[1:])), d["m"]), "b": _x(rng, d["m"])}, {}


def _elementwise(d, rng):
    return {"x": 2.0 * _x(rng, d["n"], d["d"], *_trailing(d))}, {}


def _leaky(d, rng):
    return _elementwise(d, rng)[0], {"alpha": d["alpha"]}


def _scores(d, rng):
    return {"x": _x(rng, d["n"], d["c"])}, {"y": rng.integers(0, d["c"], size=d["n"])}


def _norm(d, rng):
    n, k = d["n"], d["d"]
    return ({"x": 3.0 * _x(rng, n, k) + 1.0, "gamma": _x(rng, k), "beta": _x(rng, k)},
            {"param": {"mode": "train", "eps": 1e-5}})


def _dropout(d, rng):
    return ({"x": _x(rng, d["n"], d["d"], *_trailing(d))},
            {"param": {"p": d["p"], "mode": "train", "seed": int(rng.integers(1 << 30))}})


def _conv(d, rng):
    return ({"x": _x(rng, d["n"], d["c"], d["h"], d["w"]),
             "w": _x(rng, d["f"], d["c"], d["hh"], d["ww"]), "b": _x(rng, d["f"])},
            {"param": {"stride": d["stride"], "pad": d["pad"]}})


def _pool(d, rng):
    return ({"x": _x(rng, d["n"], d["c"], d["h"], d["w"])},
            {"param": {"pool_height": d["ph"], "pool_width": d["pw"], "stride": d["stride"]}})


def _rnn(d, rng):
    n, k, h = d["n"], d["d"], d["h"]
    return ({"x": _x(rng, n, k), "prev_h": _x(rng, n, h), "Wx": 0.5 * _x(rng, k, h),
             "Wh": 0.5 * _x(rng, h, h), "b": _x(rng, h)}, {})


def _embedding(d, rng):
    return {"W": _x(rng, d["v"], d["d"])}, {"x": rng.integers(0, d["v"], size=(d["n"], d["t"]))}


_BUILDERS = {"affine": _affine, "relu": _elementwise, "sigmoid": _elementwise,
             "tanh": _elementwise, "leaky_relu": _leaky, "softmax_loss": _scores,
             "svm_loss": _scores, "batchnorm": _norm, "layernorm": _norm, "dropout": _dropout,
             "conv": _conv, "max_pool": _pool, "avg_pool": _pool, "rnn_step": _rnn,
             "word_embedding": _embedding}


def build(shape: Shape, rng: np.random.Generator | None = None) -> tuple[dict, dict]:
    """``(arrays, extra)`` of the shape, drawn from ``rng`` (by default a Generator seeded
    with the shape's values seed, so a shape always gives the same arrays)."""
    if rng is None:
        rng = np.random.default_rng(shape.values)
    return _BUILDERS[shape.kind](shape.dims, rng)
