"""Random CNN-style networks and data from an explicit ``numpy.random.Generator``.

Small on purpose (the gate checks a thousand of them with every oracle): inputs of 1-3
channels and sides 4-9, one or two conv blocks ``conv - [batchnorm] - relu - [pool] -
[dropout]``, then an optional hidden ``affine - [batchnorm] - relu - [dropout]`` and the
class scores, softmax cross-entropy or the multiclass SVM, batch 1-4. Every such network has
fewer than :data:`MAX_PARAMS` parameters. The same Generator state always gives the same case.
The dimensions' bounds and draws are declared in ``reference/space.py`` (the ``CNN_*`` ones),
which the CNN shrinker reads too.
"""

from __future__ import annotations

import numpy as np

from .cnn_params import init_cnn_params
from .cnn_spec import CNN_LOSSES, Affine, AvgPool, BatchNorm, CNNSpec, Conv, Dropout, MaxPool, ReLU
from .sampling import Case
from .space import (
    CNN_BATCH,
    CNN_CHANNELS,
    CNN_CLASSES,
    CNN_FILTERS,
    CNN_HIDDEN_UNITS,
    CNN_KERNEL,
    CNN_L2,
    CNN_LOSS,
    CNN_SCALE,
    CNN_SIDE,
)

__all__ = ["MAX_BATCH", "MAX_PARAMS", "batchnorm_sees_enough", "fixed_cnn_case", "random_cnn_case",
           "random_cnn_spec"]

MAX_BATCH = CNN_BATCH.hi
MAX_PARAMS = 10_000  # above anything random_cnn_spec draws (tests/test_cnn_spec.py checks it)
# Batchnorm only where its input's spread cannot collapse by chance. A bias just before
# batchnorm has a gradient of exactly 0, which every implementation computes as rounding
# noise of size eps |dL/dxhat| / std: a channel whose values nearly coincide (std 1e-4 of
# their scale) pushes that noise past the autodiff tolerance (1e-11 |L|), a false alarm. So
# a channel holds at least _BN_VALUES values (3 after an affine layer), and the conv before
# it reads at least two inputs per output (with one, std = |w| std(x): a small w would do it).
# Measured (benchmarks/README.md): with two values per channel the worst autodiff pair reached
# 1/10 of its bound in 3,000 networks, with one-input convs 1/23 in 10,000, with both rules 1/83.
_BN_VALUES = 4


def batchnorm_sees_enough(spec: CNNSpec, batch: int) -> bool:
    """Whether every batch norm of ``spec`` at ``batch`` keeps the rules above (what a
    shrunk network must keep too): at least ``_BN_VALUES`` values per channel after a conv
    (one fewer after an affine layer), and a conv before it that reads two inputs or more."""
    shapes = (spec.input_shape, *spec.shapes())
    for i, layer in enumerate(spec.layers):
        if not isinstance(layer, BatchNorm):
            continue
        shape = shapes[i]
        if len(shape) == 1:
            if batch < _BN_VALUES - 1:
                return False
            continue
        before = spec.layers[i - 1] if i else None
        if batch * shape[1] * shape[2] < _BN_VALUES or (
                isinstance(before, Conv) and shapes[i - 1][0] * before.kernel ** 2 < 2):
            return False
    return True


def _chance(rng: np.random.Generator, p: float) -> bool:
    return bool(rng.random() < p)


def _block(rng: np.random.Generator, shape: tuple[int, int, int], batch: int) -> tuple[list, tuple]:
    """conv - [batchnorm] - [relu] - [pool] - [dropout] on an input of ``shape``."""
    _, h, w = shape
    kernel = CNN_KERNEL.draw(rng)
    pad = int(rng.integers(0, kernel))  # 0 .. kernel - 1: no output sees only padding
    kernel = min(kernel, h + 2 * pad, w + 2 * pad)
    stride = 2 if _chance(rng, 0.3) else 1
    conv = Conv(filters=CNN_FILTERS.draw(rng), kernel=kernel, stride=stride, pad=pad)
    layers: list = [conv]
    h, w = ((s + 2 * pad - kernel) // stride + 1 for s in (h, w))
    if _chance(rng, 0.3) and batch * h * w >= _BN_VALUES and shape[0] * kernel * kernel >= 2:
        layers.append(BatchNorm())
    if _chance(rng, 0.9):
        layers.append(ReLU())
    if _chance(rng, 0.6) and min(h, w) >= 2:
        size = int(rng.integers(2, min(3, h, w) + 1))
        pool_stride = int(rng.integers(1, size + 1))
        layers.append((MaxPool if _chance(rng, 0.7) else AvgPool)(size=size, stride=pool_stride))
        h, w = ((s - size) // pool_stride + 1 for s in (h, w))
    if _chance(rng, 0.2):
        layers.append(Dropout(p=float(np.round(rng.uniform(0.5, 0.9), 2)),
                              seed=int(rng.integers(0, 2**31))))
    return layers, (conv.filters, h, w)


def random_cnn_spec(rng: np.random.Generator, *, batch: int, l2: float | None = None,
                    losses: tuple[str, ...] = CNN_LOSSES) -> CNNSpec:
    """A random CNN for a batch of ``batch`` (batchnorm only where it sees enough values per
    channel, see ``_BN_VALUES``). ``l2`` fixes the penalty; otherwise it is 0 half the time."""
    shape = (CNN_CHANNELS.draw(rng), CNN_SIDE.draw(rng), CNN_SIDE.draw(rng))
    layers: list = []
    current = shape
    for _ in range(2 if _chance(rng, 0.4) else 1):
        block, current = _block(rng, current, batch)
        layers += block
    if _chance(rng, 0.5):
        layers.append(Affine(units=CNN_HIDDEN_UNITS.draw(rng)))
        if _chance(rng, 0.25) and batch >= _BN_VALUES - 1:
            layers.append(BatchNorm())
        layers.append(ReLU())
        if _chance(rng, 0.2):
            layers.append(Dropout(p=float(np.round(rng.uniform(0.5, 0.9), 2)),
                                  seed=int(rng.integers(0, 2**31))))
    layers.append(Affine(units=CNN_CLASSES.draw(rng)))
    loss = CNN_LOSS.draw(rng, losses)
    if l2 is None:
        l2 = CNN_L2.draw(rng)
    return CNNSpec(input_shape=shape, layers=tuple(layers), loss=loss, l2=l2)


def random_cnn_case(rng: np.random.Generator, *, batch: int | None = None,
                    l2: float | None = None, scale: float | None = None) -> Case:
    """A random CNN (:func:`random_cnn_spec`), its parameters, ``X ~ N(0, 1)`` of shape
    (batch, C, H, W) and int64 labels. ``batch`` is drawn from 1-4 unless given; ``scale``
    multiplies the init (drawn: mostly 1, sometimes 0.5 or 2)."""
    if batch is None:
        batch = CNN_BATCH.draw(rng)
    spec = random_cnn_spec(rng, batch=batch, l2=l2)
    return _case(rng, spec, batch, scale)


def fixed_cnn_case(rng: np.random.Generator, spec: CNNSpec, *, batch: int | None = None,
                   scale: float | None = None, loss: str | None = None,
                   l2: float | None = None) -> Case:
    """A case of the given network, as :func:`random_cnn_case` draws the rest: batch 1-4
    (2-4 with a batch norm) unless given, the loss drawn from both when ``loss`` is None, l2 as
    :func:`random_cnn_spec` draws it when ``l2`` is None."""
    if batch is None:  # a batch norm needs two values per channel: batch 2 and up
        low = 2 if any(isinstance(layer, BatchNorm) for layer in spec.layers) else 1
        batch = CNN_BATCH.draw(rng, low)
    if loss is None:
        loss = CNN_LOSS.draw(rng)
    if l2 is None:
        l2 = CNN_L2.draw(rng)
    spec = CNNSpec(input_shape=spec.input_shape, layers=spec.layers, loss=loss, l2=l2)
    return _case(rng, spec, batch, scale)


def _case(rng: np.random.Generator, spec: CNNSpec, batch: int, scale: float | None) -> Case:
    if scale is None:
        scale = CNN_SCALE.draw(rng)
    params = init_cnn_params(spec, rng, scale=scale)
    X = rng.normal(size=(batch, *spec.input_shape))
    Y = rng.integers(0, spec.n_classes, size=batch).astype(np.int64)
    return Case(spec=spec, params=params, X=X, Y=Y, scale=scale)
