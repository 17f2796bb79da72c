"""The contract's validation: every bad input is a one-line error naming what is wrong."""

from __future__ import annotations

import numpy as np
import pytest
from crosscheck.reference import NetworkSpec, check_inputs, init_params, loss_and_grads


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(sizes=(4,), activations=()), "at least 2"),
        (dict(sizes=(4, 0), activations=("identity",)), "positive ints"),
        (dict(sizes=(4, 2.5), activations=("identity",)), "positive ints"),
        (dict(sizes=(4, True), activations=("identity",)), "positive ints"),
        (dict(sizes="4-3", activations=("identity",)), "sequence"),
        (dict(sizes=(4, 3), activations=("relu", "relu")), "one activation per layer"),
        (dict(sizes=(4, 3), activations=("swish",)), "unknown activation 'swish'"),
        (dict(sizes=(4, 3), activations=("identity",), loss="hinge"), "unknown loss 'hinge'"),
        (dict(sizes=(4, 3), activations=("sigmoid",), loss="sigmoid_bce"), "must be 'identity'"),
        (dict(sizes=(4, 3), activations=("identity",), l2=-0.1), "l2 must be finite and >= 0"),
        (dict(sizes=(4, 3), activations=("identity",), l2=float("nan")), "l2 must be finite"),
        (dict(sizes=(4, 3), activations=("identity",), l2="0.1"), "l2 must be a number"),
    ],
)
def test_bad_spec_is_a_clear_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message) as info:
        NetworkSpec(**kwargs)
    assert "\n" not in str(info.value)


def test_spec_normalises_and_describes():
    spec = NetworkSpec(sizes=[4, 16, 3], activations=["relu", "identity"],
                       loss="softmax_cross_entropy", l2=1)
    assert spec.sizes == (4, 16, 3) and spec.activations == ("relu", "identity")
    assert spec.l2 == 1.0 and isinstance(spec.l2, float)
    assert spec.depth == 2
    assert spec.param_names() == ("W1", "b1", "W2", "b2")
    assert spec.param_shapes() == {"W1": (4, 16), "b1": (16,), "W2": (16, 3), "b2": (3,)}
    assert NetworkSpec.from_dict(spec.to_dict()) == spec
    assert hash(spec) == hash(NetworkSpec.from_dict(spec.to_dict()))


def _good():
    spec = NetworkSpec(sizes=(3, 4, 2), activations=("tanh", "identity"), loss="mse")
    rng = np.random.default_rng(0)
    return spec, init_params(spec, rng), rng.normal(size=(5, 3)), rng.normal(size=(5, 2))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p, X, Y: (p.pop("b2"), (p, X, Y))[1], r"missing \['b2'\]"),
        (lambda p, X, Y: ({**p, "W3": p["W1"]}, X, Y), r"unexpected \['W3'\]"),
        (lambda p, X, Y: ({**p, "W1": p["W1"].T.copy()}, X, Y), r"W1 has shape \(4, 3\), expected \(3, 4\)"),
        (lambda p, X, Y: ({**p, "b1": p["b1"].astype(np.float32)}, X, Y), "b1 must be float64"),
        (lambda p, X, Y: ({**p, "W2": p["W2"].tolist()}, X, Y), "W2 must be a numpy array"),
        (lambda p, X, Y: (p, X.astype(int), Y), "X must be float64"),
        (lambda p, X, Y: (p, X[:, :2], Y), r"X has shape \(5, 2\), expected \(batch, 3\)"),
        (lambda p, X, Y: (p, X, Y[:4]), "X has batch 5 but Y has batch 4"),
        (lambda p, X, Y: (p, np.where(X > 0, np.nan, X), Y), "X contains NaN or Inf"),
    ],
)
def test_bad_inputs_are_named(mutate, message):
    spec, params, X, Y = _good()
    p, X, Y = mutate(dict(params), X, Y)
    with pytest.raises((ValueError, TypeError), match=message):
        check_inputs(p, X, Y, spec)
    with pytest.raises((ValueError, TypeError), match=message):
        loss_and_grads(p, X, Y, spec)


def test_init_params_requires_a_generator():
    spec, *_ = _good()
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        init_params(spec, 0)


def test_init_is_reproducible_and_float64():
    spec, *_ = _good()
    a = init_params(spec, np.random.default_rng(7))
    b = init_params(spec, np.random.default_rng(7))
    assert all(np.array_equal(a[k], b[k]) and a[k].dtype == np.float64 for k in a)
    assert all(np.any(a[k] != 0) for k in a)  # non-zero biases: zero biases hide bias bugs


# ---- half_sse and integer labels: closed forms, and the checks on labels -------------------

def test_half_sse_is_half_the_summed_squares_over_the_batch():
    spec = NetworkSpec(sizes=(3, 2), activations=("identity",), loss="half_sse")
    rng = np.random.default_rng(1)
    params, X, Y = init_params(spec, rng), rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    r = X @ params["W1"] + params["b1"] - Y
    loss, grads = loss_and_grads(params, X, Y, spec)
    assert loss == pytest.approx(np.sum(r ** 2) / (2 * 5), rel=1e-14)
    np.testing.assert_allclose(grads["W1"], X.T @ r / 5, rtol=1e-13)
    np.testing.assert_allclose(grads["b1"], r.sum(axis=0) / 5, rtol=1e-13)


def test_integer_labels_equal_their_one_hot_rows():
    spec = NetworkSpec(sizes=(3, 4, 3), activations=("tanh", "identity"),
                       loss="softmax_cross_entropy", l2=0.2)
    rng = np.random.default_rng(2)
    params, X = init_params(spec, rng), rng.normal(size=(6, 3))
    labels = np.array([0, 2, 1, 2, 0, 1], dtype=np.int64)
    loss, grads = loss_and_grads(params, X, labels, spec)
    loss_rows, grads_rows = loss_and_grads(params, X, np.eye(3)[labels], spec)
    assert loss == loss_rows
    assert all(np.array_equal(grads[k], grads_rows[k]) for k in grads)


@pytest.mark.parametrize(("loss", "labels", "message"), [
    ("mse", [0, 1, 1, 0, 1], "only softmax_cross_entropy takes"),
    ("softmax_cross_entropy", [0, 1, 2, 0, 1], r"labels outside \[0, 2\)"),
    ("softmax_cross_entropy", [0, -1, 1, 0, 1], r"labels outside \[0, 2\)"),
])
def test_bad_labels_are_named(loss, labels, message):
    spec = NetworkSpec(sizes=(3, 2), activations=("identity",), loss=loss)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=message):
        check_inputs(init_params(spec, rng), rng.normal(size=(5, 3)),
                     np.array(labels, dtype=np.int64), spec)
