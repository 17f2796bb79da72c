"""CNN-style networks: the reference against each oracle on hand-picked cases (stride 2,
padding, batch 1, odd sizes, max-pooling ties, batchnorm, dropout, the SVM loss), and each
oracle catching a deliberately wrong gradient, kinks and ties included."""

from __future__ import annotations

import numpy as np
import pytest
from crosscheck.reference import Case, CNNSpec, cnn_loss_and_grads, init_cnn_params
from crosscheck.reference import cnn_layers as L
from crosscheck.reference.cnn_spec import Affine, AvgPool, BatchNorm, Conv, Dropout, MaxPool, ReLU

from crosscheck.engine.check import check_case

ORACLES = ("torch", "tensorflow", "fd")


def _case(shape, layers, loss="softmax_cross_entropy", l2=0.0, batch=2, seed=0, X=None,
          **overrides) -> Case:
    spec = CNNSpec(input_shape=shape, layers=tuple(layers), loss=loss, l2=l2)
    rng = np.random.default_rng(seed)
    params = {**init_cnn_params(spec, rng), **overrides}
    X = rng.normal(size=(batch, *shape)) if X is None else X
    Y = rng.integers(0, spec.n_classes, size=batch).astype(np.int64)
    return Case(spec=spec, params=params, X=X, Y=Y)


def _tie_case() -> Case:
    """A zero conv kernel with a positive bias: every max-pool window ties, so the gradient of
    W1 depends on which maximum gets it (the first, row-major, in torch and tensorflow)."""
    spec_layers = (Conv(2, 2, 1, 0), ReLU(), MaxPool(2, 2), Affine(3))
    case = _case((1, 5, 5), spec_layers, batch=2, seed=4)
    params = {**case.params, "W1": np.zeros((2, 1, 2, 2)), "b1": np.array([0.3, 0.7])}
    return Case(spec=case.spec, params=params, X=case.X, Y=case.Y)


def _integer_tie_case() -> Case:
    """Integer inputs through a 1x1 conv of weight 1: equal inputs stay tied under any
    perturbation of the kernel, so finite differences see no kink there."""
    rng = np.random.default_rng(9)
    X = rng.integers(0, 3, size=(2, 1, 6, 6)).astype(np.float64)
    case = _case((1, 6, 6), (Conv(1, 1), MaxPool(3, 3), Affine(3)), loss="svm", X=X, seed=9)
    return Case(spec=case.spec, params={**case.params, "W1": np.ones((1, 1, 1, 1)),
                                        "b1": np.zeros(1)}, X=X, Y=case.Y)


CASES = {
    "stride-2-padding": lambda: _case((2, 7, 7), (Conv(3, 3, 2, 1), ReLU(), MaxPool(2, 1),
                                                  Affine(4)), batch=3),
    "batch-1-odd-sizes": lambda: _case((1, 5, 9), (Conv(2, 2, 1, 0), ReLU(), AvgPool(3, 2),
                                                   Affine(3)), loss="svm", batch=1, seed=1),
    "max-pool-ties": _tie_case,
    "max-pool-integer-ties": _integer_tie_case,
    "batchnorm-spatial-and-flat": lambda: _case(
        (2, 6, 6), (Conv(3, 3, 1, 1), BatchNorm(), ReLU(), MaxPool(2, 2), Affine(5),
                    BatchNorm(), ReLU(), Affine(3)), batch=4, seed=2),
    "batchnorm-batch-1": lambda: _case((3, 5, 4), (Conv(2, 3, 1, 1), BatchNorm(), ReLU(),
                                                   Affine(2)), batch=1, seed=3),
    "dropout": lambda: _case((3, 6, 5), (Conv(2, 3, 1, 1), ReLU(), Dropout(0.6, seed=5),
                                         Affine(5), ReLU(), Dropout(0.75, seed=6), Affine(3)),
                             loss="svm", seed=5),
    "two-convs-svm-l2": lambda: _case((3, 9, 9), (Conv(4, 3, 2, 2), ReLU(), Conv(3, 2, 1, 1),
                                                  ReLU(), AvgPool(2, 2), Affine(4)),
                                      loss="svm", l2=0.5, seed=6),
}


@pytest.mark.parametrize("oracle_name", ORACLES)
@pytest.mark.parametrize("name", CASES)
def test_reference_cnn_agrees_with_oracle(name, oracle_name, oracle_cache):
    case = CASES[name]()
    result = check_case(case, cnn_loss_and_grads, [oracle_cache(oracle_name)],
                        subject="reference")
    bad = [d.message() for v in result.votes for d in v.diffs if not d.ok]
    assert result.verdict == "pass", f"{case.spec.describe()} batch={case.batch}\n" + "\n".join(bad)
    if oracle_name == "fd" and name == "max-pool-ties":
        # the ties make W1's differences chords: kinks, left out, while b1 is still compared
        w1 = next(d for v in result.votes if v.tensor == "W1" for d in v.diffs)
        b1 = next(d for v in result.votes if v.tensor == "b1" for d in v.diffs)
        assert w1.n_excluded > 0 and b1.n_excluded == 0 and b1.n_compared == 2
    if oracle_name == "fd" and name == "max-pool-integer-ties":
        assert result.kinks == 0


# ---- a wrong gradient is caught by each oracle --------------------------------------------
# the buggy layers call the right ones, taken before any test swaps them in
_RIGHT = {name: getattr(L, name) for name in ("conv_backward", "batchnorm_backward",
                                               "avg_pool_backward", "max_pool_backward",
                                               "svm_loss", "affine_backward")}

def _flipped_conv_backward(dout, cache):
    dx, dw, db = _RIGHT["conv_backward"](dout, cache)
    return dx, dw[:, :, ::-1, ::-1], db  # a convolution's kernel, not a cross-correlation's


def _bn_no_mean_terms(dout, cache):
    dx, dgamma, dbeta = _RIGHT["batchnorm_backward"](dout, cache)
    return dout * cache["gamma"] / cache["std"], dgamma, dbeta


def _dropout_without_scale(dout, mask):
    return dout * (mask > 0)


def _avg_pool_without_mean(dout, cache):
    shape, ph, pw, s = cache
    return _RIGHT["avg_pool_backward"](dout, cache) * (ph * pw)


def _max_pool_last_maximum(dout, cache):
    """Every window's gradient to its last element: on the all-tied windows of the tie case,
    the last maximum instead of the first."""
    shape, arg, ph, pw, s = cache
    return _RIGHT["max_pool_backward"](dout, (shape, ph * pw - 1 - arg, ph, pw, s))


def _svm_without_correct_class(x, y):
    loss, dx = _RIGHT["svm_loss"](x, y)
    dx = dx.copy()
    dx[np.arange(x.shape[0]), y] = 0.0
    return loss, dx


BUGS = {  # name: (layer function replaced, the buggy one, the case, tensors it breaks)
    "conv-kernel-flipped": ("conv_backward", _flipped_conv_backward, "two-convs-svm-l2", {"W1", "W2"}),
    "batchnorm-no-mean-terms": ("batchnorm_backward", _bn_no_mean_terms,
                                "batchnorm-spatial-and-flat", {"W1", "W3"}),
    "dropout-without-scale": ("dropout_backward", _dropout_without_scale, "dropout", {"W1", "b1"}),
    "avg-pool-without-mean": ("avg_pool_backward", _avg_pool_without_mean, "batch-1-odd-sizes",
                              {"W1", "b1"}),
    "svm-without-correct-class": ("svm_loss", _svm_without_correct_class, "two-convs-svm-l2",
                                  {"W3", "b3"}),
}


@pytest.mark.parametrize("oracle_name", ORACLES)
@pytest.mark.parametrize("bug", BUGS)
def test_each_oracle_catches_a_wrong_cnn_gradient(bug, oracle_name, oracle_cache, monkeypatch):
    attribute, broken, case_name, tensors = BUGS[bug]
    case = CASES[case_name]()
    monkeypatch.setattr(L, attribute, broken)  # the reference network calls L.<attribute>
    result = check_case(case, cnn_loss_and_grads, [oracle_cache(oracle_name)], subject="buggy")
    failing = {v.tensor for v in result.votes if not v.ok}
    assert result.verdict == "fail" and tensors <= failing, failing


@pytest.mark.parametrize("bug", BUGS)
def test_all_oracles_blame_the_wrong_cnn_gradient(bug, oracle_cache, monkeypatch):
    attribute, broken, case_name, _ = BUGS[bug]
    monkeypatch.setattr(L, attribute, broken)
    result = check_case(CASES[case_name](), cnn_loss_and_grads,
                        [oracle_cache(n) for n in ORACLES], subject="buggy")
    assert result.verdict == "fail" and result.blame == ["buggy"]


def test_kinks_at_ties_do_not_hide_a_wrong_tie_rule(oracle_cache, monkeypatch):
    """Routing a tie to the last maximum: fd cannot see it (W1's differences cross the tie and
    are left out as kinks) but torch and tensorflow do, and the vote blames the subject."""
    monkeypatch.setattr(L, "max_pool_backward", _max_pool_last_maximum)
    result = check_case(_tie_case(), cnn_loss_and_grads, [oracle_cache(n) for n in ORACLES],
                        subject="buggy")
    assert result.kinks > 0
    assert result.verdict == "fail" and result.blame == ["buggy"]
    assert {v.tensor for v in result.votes if not v.ok} == {"W1"}


def test_kinks_do_not_hide_a_wrong_gradient_elsewhere_from_fd(oracle_cache, monkeypatch):
    """On the tie case fd leaves W1 out, and still catches a wrong affine gradient alone."""
    def affine_half(dout, cache):
        dx, dw, db = _RIGHT["affine_backward"](dout, cache)
        return dx, dw, db / 2

    monkeypatch.setattr(L, "affine_backward", affine_half)
    result = check_case(_tie_case(), cnn_loss_and_grads, [oracle_cache("fd")], subject="buggy")
    assert result.kinks > 0 and result.verdict == "fail"
    assert {v.tensor for v in result.votes if not v.ok} == {"b2"}


@pytest.mark.parametrize("oracle_name", ORACLES)
def test_cnn_oracles_leave_their_inputs_alone(oracle_name, oracle_cache):
    case = CASES["dropout"]()

    def ro(a):
        a = a.copy()
        a.flags.writeable = False
        return a

    params = {k: ro(v) for k, v in case.params.items()}
    result = oracle_cache(oracle_name).evaluate(params, ro(case.X), ro(case.Y), case.spec)
    for k, g in result.grads.items():
        assert not any(np.shares_memory(g, a) for a in params.values())
        assert np.array_equal(params[k], case.params[k])


def test_complex_step_sits_cnn_networks_out(oracle_cache):
    oracles = [oracle_cache(n) for n in ("torch", "fd", "complex-step")]
    result = check_case(CASES["dropout"](), cnn_loss_and_grads, oracles, subject="reference")
    assert result.verdict == "pass"
    assert "MLP networks only" in result.skipped["complex-step"]


def test_sampled_and_directional_fd_on_a_cnn(oracle_cache):
    """The large-network modes work on CNNs too: a sample of coordinates, and the adjoint test
    of every tensor against the reference's gradient."""
    case = CASES["two-convs-svm-l2"]()
    fd = oracle_cache("fd")
    _, grads = cnn_loss_and_grads(case.params, case.X, case.Y, case.spec)
    r = fd.evaluate(case.params, case.X, case.Y, case.spec, sample=5,
                    rng=np.random.default_rng(0))
    for name, g in r.grads.items():
        keep = ~r.unchecked.get(name, np.zeros(g.shape, bool)) & ~r.kinks[name]
        assert np.allclose(g[keep], grads[name][keep], rtol=1e-5, atol=1e-7)
    assert r.unchecked["W1"].sum() == grads["W1"].size - 5
    d = fd.directional(case.params, case.X, case.Y, case.spec, np.random.default_rng(1))
    for name, u in d.directions.items():
        if not d.kinked[name]:
            assert abs(d.derivatives[name] - float(np.sum(grads[name] * u))) <= (
                1e-6 * np.linalg.norm(grads[name]) + 1e-8)
