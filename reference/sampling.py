"""Random networks and data from an explicit ``numpy.random.Generator``.

Used by ``crosscheck run`` and ``crosscheck verify``; the same Generator state always gives
the same case. Every dimension (its bounds, how it is drawn) is declared in
``reference/space.py``, which the gate's hypothesis strategies and the shrinker read too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .params import init_params
from .space import (
    ACTIVATION,
    BATCH,
    DEPTH,
    EDGES,
    L2,
    LOSS,
    OUTPUT_ACTIVATION,
    SCALE,
    WIDTH,
    min_output_width,
)
from .spec import DEFAULT_ACTIVATIONS, DEFAULT_LOSSES, LABEL_LOSSES, LOGIT_LOSSES, TARGETS, NetworkSpec

__all__ = ["EDGES", "Case", "edge_case", "random_batch", "random_case", "random_spec"]


@dataclass(frozen=True)
class Case:
    """One concrete check: a spec, parameters and a batch."""

    spec: NetworkSpec
    params: dict
    X: np.ndarray
    Y: np.ndarray
    scale: float = 1.0

    @property
    def batch(self) -> int:
        return self.X.shape[0]


def random_spec(
    rng: np.random.Generator,
    *,
    sizes: tuple[int, ...] | None = None,
    min_depth: int = DEPTH.lo,
    max_depth: int = DEPTH.hi,
    min_width: int = WIDTH.lo,
    max_width: int = WIDTH.hi,
    losses: tuple[str, ...] = DEFAULT_LOSSES,
    hidden_activations: tuple[str, ...] = DEFAULT_ACTIVATIONS,
    l2: float | None = None,
    activations: tuple[str, ...] | None = None,
    output_activations: tuple[str, ...] | None = None,
    reduction: str = "mean",
    l2_convention: str = "batch",
    bias: bool = True,
) -> NetworkSpec:
    """A random spec. ``sizes``/``l2`` fix those fields; otherwise depth, widths and l2 are
    drawn (l2 is 0 half the time). Hidden layers draw from ``hidden_activations``; the output
    layer is ``identity`` for the logit losses and draws from ``output_activations`` (default:
    any default activation) otherwise. ``activations`` fixes every layer's activation, the output's
    included: one name per layer (which fixes the depth), or a single name for all layers.
    A combination no network satisfies (a ``sigmoid`` output under a logit loss) raises
    ``ValueError`` from :class:`NetworkSpec`. ``reduction``, ``l2_convention`` and ``bias``
    are the spec's conventions: given, never drawn (they take nothing from ``rng``)."""
    acts = tuple(activations) if activations is not None else None
    if sizes is None:
        if acts is not None and len(acts) > 1:
            depth = len(acts)
        else:
            depth = DEPTH.draw(rng, min_depth, max_depth)
        sizes = tuple(int(s) for s in WIDTH.draw(rng, min_width, max_width, size=depth + 1))
        loss = LOSS.draw(rng, losses)
        # a softmax over one class is constant: nothing to check
        sizes = (*sizes[:-1], max(sizes[-1], min_output_width(loss)))
    else:
        loss = LOSS.draw(rng, losses)
    depth = len(sizes) - 1
    if acts is not None:
        layers = acts * depth if len(acts) == 1 else acts
        hidden, last = list(layers[:-1]), layers[-1]
    else:
        hidden = [ACTIVATION.draw(rng, hidden_activations) for _ in range(depth - 1)]
        if loss in LOGIT_LOSSES:
            last = "identity"
        else:
            last = OUTPUT_ACTIVATION.draw(rng, output_activations)
    if l2 is None:
        l2 = L2.draw(rng)
    return NetworkSpec(sizes=tuple(sizes), activations=(*hidden, last), loss=loss, l2=l2,
                       reduction=reduction, l2_convention=l2_convention, bias=bias)


def random_batch(spec: NetworkSpec, batch: int, rng: np.random.Generator,
                 targets: str = "any"):
    """(X, Y) of the right shapes; Y suits the loss and ``targets``:

    - ``any``: real targets for mse and half_sse; one-hot or soft class distributions for
      softmax cross-entropy; {0, 1} or soft targets for sigmoid BCE;
    - ``onehot``: one-hot rows, for every loss;
    - ``soft``: soft class distributions (Dirichlet rows), or independent probabilities in
      [0, 1] for sigmoid BCE;
    - ``labels``: int64 class indices, shape (batch,), for softmax cross-entropy only.

    The same Generator state gives the same X whatever ``targets`` says, and the labels are
    the classes of the one-hot rows the same state would give."""
    if targets not in TARGETS:
        raise ValueError(f"unknown targets {targets!r}; known: {', '.join(TARGETS)}")
    if targets == "labels" and spec.loss not in LABEL_LOSSES:
        raise ValueError(f"targets 'labels' apply only to {', '.join(LABEL_LOSSES)}, "
                         f"not {spec.loss}")
    n_in, n_out = spec.sizes[0], spec.sizes[-1]
    X = rng.normal(size=(batch, n_in))
    if spec.loss in ("mse", "half_sse"):
        if targets == "onehot":
            Y = np.eye(n_out)[rng.integers(0, n_out, size=batch)]
        elif targets == "soft":
            Y = rng.dirichlet(np.ones(n_out), size=batch)
        else:
            Y = rng.normal(size=(batch, n_out))
    elif spec.loss == "softmax_cross_entropy":
        hard = rng.random() < 0.5
        if targets in ("onehot", "labels") or (targets == "any" and hard):
            labels = rng.integers(0, n_out, size=batch)
            Y = labels.astype(np.int64) if targets == "labels" else np.eye(n_out)[labels]
        else:
            Y = rng.dirichlet(np.ones(n_out), size=batch)
    else:
        hard = rng.random() < 0.5
        if targets == "onehot":
            Y = np.eye(n_out)[rng.integers(0, n_out, size=batch)]
        elif targets == "any" and hard:
            Y = rng.integers(0, 2, size=(batch, n_out)).astype(np.float64)
        else:
            Y = rng.uniform(size=(batch, n_out))
    return X, Y


def random_case(rng: np.random.Generator, *, batch: int | None = None, max_batch: int = BATCH.hi,
                scale: float | None = None, targets: str = "any", **spec_options) -> Case:
    """A random spec (see :func:`random_spec`), parameters and batch (targets as in
    :func:`random_batch`). ``scale`` multiplies the init; when drawn it is 1 most of the time
    and up to 4 (saturating) otherwise."""
    spec = random_spec(rng, **spec_options)
    if batch is None:
        batch = BATCH.draw(rng, BATCH.lo, max_batch)
    if scale is None:
        scale = SCALE.draw(rng)
    params = init_params(spec, rng, scale=scale)
    X, Y = random_batch(spec, batch, rng, targets)
    return Case(spec=spec, params=params, X=X, Y=Y, scale=scale)


def edge_case(case: Case, kind: str, rng: np.random.Generator,
              hidden_activations: tuple[str, ...] = DEFAULT_ACTIVATIONS) -> Case:
    """``case`` moved to an edge a learner's code often gets wrong, when the network allows it
    (else ``case`` unchanged):

    - ``relu-ties``: the first layer a ReLU (when ReLU is an allowed hidden activation) with a
      zero bias and half the input rows zero, so those pre-activations are exactly 0;
    - ``large-logits``: for the logit losses, the last layer x 1000, so a softmax or sigmoid
      without its stabilising shift overflows: measured over 200 seeds (800 such networks
      of 20-network campaigns), the largest |logit| of a network is 57 to 1.05e6, median
      2,100, half of them 1,100 to 5,200, 90% 270 to 29,000, and above 709 (where exp
      overflows) on 84%.
    """
    spec = case.spec
    if kind == "relu-ties":
        if spec.depth < 2 or "relu" not in hidden_activations or case.batch < 2:
            return case
        spec = replace(spec, activations=("relu", *spec.activations[1:]))
        X = case.X.copy()
        X[rng.choice(case.batch, size=case.batch // 2, replace=False)] = 0.0
        params = dict(case.params)
        if spec.bias:
            params["b1"] = np.zeros_like(case.params["b1"])
        return Case(spec=spec, params=params, X=X, Y=case.Y, scale=case.scale)
    if kind == "large-logits":
        if spec.loss not in LOGIT_LOSSES:
            return case
        L = spec.depth
        params = {**case.params, **{k: case.params[k] * 1e3 for k in spec.layer_params(L)}}
        return Case(spec=spec, params=params, X=case.X, Y=case.Y, scale=case.scale)
    raise ValueError(f"unknown edge {kind!r}; known: {', '.join(EDGES)}")
