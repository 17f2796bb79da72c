"""The reference's CS231n layers (reference/cnn_layers.py) against PyTorch's own ops and
autograd, and each backward against central differences of its own forward, on random
shapes: batch 1, odd sizes, stride 2, padding 0 to 2, repeated embedding indices."""

from __future__ import annotations

import numpy as np
import pytest
from crosscheck.oracles.torch_layers import torch_layer
from crosscheck.reference import cnn_layers as R
from hypothesis import given
from hypothesis import strategies as st

from crosscheck.layers.cases import Shape, build, draw_shapes, strategy
from crosscheck.layers.check import prepare
from crosscheck.layers.kinds import KINDS, call, numerical_grads

CASES = 12  # random draws per kind


def _pair(name):
    if KINDS[name].loss:
        return getattr(R, name), None
    return getattr(R, f"{name}_forward"), getattr(R, f"{name}_backward")


def _close(a, b, rtol, atol):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    bad = ~(np.abs(a - b) <= atol + rtol * np.abs(b))
    assert not bad.any(), f"worst {np.abs(a - b).max():.3g}: {a[bad][:3]} vs {b[bad][:3]}"


@pytest.mark.parametrize("name", sorted(KINDS))
def test_reference_layer_agrees_with_torch_and_with_its_own_finite_differences(name):
    kind = KINDS[name]
    forward, backward = _pair(name)
    for seed, (dims, values) in enumerate(draw_shapes(name, CASES, 20261123)):
        rng = np.random.default_rng(values)
        arrays, extra = build(Shape(name, dims, values), rng)
        if kind.loss:
            dout = None
        else:
            out0, _ = forward(*kind.args({k: v.copy() for k, v in arrays.items()},
                                         {k: (dict(v) if isinstance(v, dict) else v)
                                          for k, v in extra.items()}))
            dout = rng.normal(size=np.shape(out0))
        out, grads, cache = call(kind, forward, backward, arrays, extra, dout)
        if name == "dropout":  # torch applies the very mask the forward drew
            extra = {**extra, "mask": cache}
        t_out, t_grads = torch_layer(name, arrays, extra, dout)
        where = f"{name} case {seed} {[v.shape for v in arrays.values()]} {extra.get('param', '')}"
        _close(out, t_out, 1e-9, 1e-12 * max(1.0, float(np.abs(t_out).max())))
        for k in kind.inputs:
            scale = max(1.0, float(np.abs(t_grads[k]).max()))
            try:
                _close(grads[k], t_grads[k], 1e-8, 1e-11 * scale)
            except AssertionError as exc:
                raise AssertionError(f"{where}: d{k} vs torch: {exc}") from None
        num = numerical_grads(kind, forward, arrays, extra, dout)
        for k in kind.inputs:
            scale = max(1.0, float(np.abs(num[k]).max()))
            try:
                _close(grads[k], num[k], 1e-5, 1e-6 * scale)
            except AssertionError as exc:
                raise AssertionError(f"{where}: d{k} vs finite differences: {exc}") from None


def test_max_pool_ties_follow_torch_first_maximum():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, :2, :2] = 1.0  # a window whose four inputs tie
    pool = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = R.max_pool_forward(x, pool)
    dx = R.max_pool_backward(np.ones_like(out), cache)
    _, t = torch_layer("max_pool", {"x": x}, pool, np.ones_like(out))
    _close(dx, t["x"], 0, 0)
    assert dx[0, 0, :2, :2].sum() == 1.0 and dx[0, 0, 0, 0] == 1.0


def test_word_embedding_accumulates_repeated_indices():
    W = np.arange(6.0).reshape(3, 2)
    idx = np.array([[1, 1, 2]])
    out, cache = R.word_embedding_forward(idx, W)
    dW = R.word_embedding_backward(np.ones_like(out), cache)
    assert dW.tolist() == [[0.0, 0.0], [2.0, 2.0], [1.0, 1.0]]


def test_batchnorm_running_stats_are_returned_not_written():
    x = np.random.default_rng(0).normal(size=(5, 3))
    param = {"mode": "train", "momentum": 0.9, "running_mean": np.zeros(3),
             "running_var": np.ones(3)}
    _, cache = R.batchnorm_forward(x, np.ones(3), np.zeros(3), param)
    mean, var = cache["running"]
    np.testing.assert_allclose(mean, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(var, 0.9 + 0.1 * x.var(axis=0))
    assert param["running_mean"].tolist() == [0.0, 0.0, 0.0]  # the caller's dict untouched


def _one(name, arrays, extra, *, fd_too: bool):
    kind = KINDS[name]
    forward, backward = _pair(name)
    out0, _ = forward(*kind.args({k: v.copy() for k, v in arrays.items()}, dict(extra)))
    dout = np.random.default_rng(0).normal(size=np.shape(out0))
    out, grads, _ = call(kind, forward, backward, arrays, extra, dout)
    t_out, t_grads = torch_layer(name, arrays, extra, dout)
    _close(out, t_out, 1e-9, 1e-12 * max(1.0, float(np.abs(t_out).max())))
    for k in kind.inputs:
        _close(grads[k], t_grads[k], 1e-8, 1e-11 * max(1.0, float(np.abs(t_grads[k]).max())))
    if fd_too:
        num = numerical_grads(kind, forward, arrays, extra, dout)
        for k in kind.inputs:
            if k in num:
                _close(grads[k], num[k], 1e-5, 1e-6 * max(1.0, float(np.abs(num[k]).max())))


@pytest.mark.parametrize("name", ["conv", "max_pool", "avg_pool"])
@given(drawn=st.data())
def test_spatial_layers_on_the_checks_own_hypothesis_shapes(name, drawn):
    """Batch 1, odd sizes, stride 2, padding 0 and 2: the strategy verify-layer draws from."""
    dims, values = drawn.draw(strategy(name), label="case")
    _one(name, *build(Shape(name, dims, values)), fd_too=True)


@given(drawn=st.data())
def test_max_pool_ties_on_hypothesis_shapes_follow_torch(drawn):
    dims, values = drawn.draw(strategy("max_pool"), label="case")
    data = prepare(Shape("max_pool", dims, values, mode="edge"))  # small integers: ties
    _one("max_pool", data.arrays, data.extra, fd_too=False)  # at ties a difference measures a chord
