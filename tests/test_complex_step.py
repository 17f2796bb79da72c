"""The complex-step oracle: exact to rounding where it applies, refuses ReLU, stands in for fd."""

from __future__ import annotations

import numpy as np
import pytest
from crosscheck.oracles import OracleNotApplicable, get_oracle
from crosscheck.reference import ACTIVATION_OPS, NetworkSpec, init_params, loss_and_grads, random_case
from crosscheck.reference.sampling import random_batch

from crosscheck.engine.check import check_case
from crosscheck.engine.compare import compare_tensor
from crosscheck.engine.tolerances import TOLERANCES

ANALYTIC = tuple(name for name, op in ACTIVATION_OPS.items() if op.analytic)
NOT_ANALYTIC = tuple(name for name, op in ACTIVATION_OPS.items() if not op.analytic)


@pytest.fixture(scope="module")
def cs():
    return get_oracle("complex-step")


def _assert_agrees(result, loss, grads, kind="complex-step"):
    tol = TOLERANCES[kind]
    for name, g in grads.items():
        d = compare_tensor(name, result.grads[name], g, "complex-step", "reference", tol, loss)
        assert d.ok, d.message()
    assert abs(result.loss - loss) <= 1e-12 * max(1.0, abs(loss))


@pytest.mark.parametrize("seed", range(40))
def test_agrees_with_the_reference_to_autodiff_tolerance(cs, seed):
    # deep, wide-ish and saturated (init scale up to 8): the fd tolerance would be needed there,
    # complex step holds the autodiff one
    rng = np.random.default_rng([7, seed])
    case = None
    while case is None or not cs.applies(case.spec):  # an mse output layer may draw relu
        case = random_case(rng, hidden_activations=ANALYTIC, max_depth=8, max_width=24,
                           scale=float(rng.choice([1.0, 4.0, 8.0])))
    loss, grads = loss_and_grads(case.params, case.X, case.Y, case.spec)
    _assert_agrees(cs.evaluate(case.params, case.X, case.Y, case.spec), loss, grads)


@pytest.mark.parametrize("loss_name", ["softmax_cross_entropy", "sigmoid_bce", "mse"])
def test_huge_logits_stay_finite(cs, loss_name):
    # logits of +-1000: a naive exp(z) overflows, a naive softplus log(1 + e^z) is inf
    spec = NetworkSpec(sizes=(3, 4), activations=("identity",), loss=loss_name)
    params = init_params(spec, np.random.default_rng(0))
    params["W1"] = params["W1"] * 0.0
    params["b1"] = np.array([1000.0, -1000.0, 999.0, -3.0])
    X, Y = random_batch(spec, 5, np.random.default_rng(1))
    loss, grads = loss_and_grads(params, X, Y, spec)
    r = cs.evaluate(params, X, Y, spec)
    assert all(np.all(np.isfinite(g)) for g in r.grads.values())
    _assert_agrees(r, loss, grads)


def test_the_analytic_records_are_the_smooth_ones():
    assert {"identity", "sigmoid", "tanh"} <= set(ANALYTIC) and "relu" in NOT_ANALYTIC


@pytest.mark.parametrize("name", NOT_ANALYTIC)
def test_a_non_analytic_activation_is_not_applicable(cs, name):
    """Complex step sits out every activation whose record is not analytic (relu, ...), in any
    layer, and names it."""
    for acts in ((name, "tanh", "identity"), ("tanh", name, "identity")):
        spec = NetworkSpec(sizes=(3, 4, 4, 2), activations=acts, loss="mse")
        params = init_params(spec, np.random.default_rng(0))
        X, Y = random_batch(spec, 2, np.random.default_rng(1))
        assert not cs.applies(spec)
        with pytest.raises(OracleNotApplicable, match=f"has {name}$"):
            cs.evaluate(params, X, Y, spec)
    assert cs.applies(NetworkSpec(sizes=(3, 4, 2), activations=("tanh", "identity")))


@pytest.mark.parametrize("name", ANALYTIC)
def test_an_analytic_activation_is_checked_to_autodiff_tolerance(cs, name):
    rng = np.random.default_rng(9)
    for _ in range(3):
        case = random_case(rng, activations=(name,), losses=("mse", "half_sse"), max_depth=4,
                           max_width=9, scale=float(rng.choice([1.0, 4.0])))
        assert cs.applies(case.spec)
        loss, grads = loss_and_grads(case.params, case.X, case.Y, case.spec)
        _assert_agrees(cs.evaluate(case.params, case.X, case.Y, case.spec), loss, grads)


def _sigmoid_deriv_on_z(params, X, Y, spec):
    """A catalogued bug: sigma'(z) computed as z * (1 - z) on the pre-activation."""
    from crosscheck.reference.layers import ACTIVATION_FUNCTIONS, Activation
    from crosscheck.reference.network import Parts, backprop

    acts = dict(ACTIVATION_FUNCTIONS)
    acts["sigmoid"] = Activation(acts["sigmoid"].forward, lambda da, z, a: da * z * (1.0 - z))
    return backprop(params, X, Y, spec, Parts(activations=acts))


def _case(activations=("sigmoid", "identity")):
    spec = NetworkSpec(sizes=(5, 6, 3), activations=activations, loss="softmax_cross_entropy",
                       l2=0.3)
    rng = np.random.default_rng(3)
    params = init_params(spec, rng)
    X, Y = random_batch(spec, 4, rng)
    from crosscheck.reference.sampling import Case

    return Case(spec=spec, params=params, X=X, Y=Y)


def test_stands_in_for_fd_where_it_applies_and_blames_a_bug(cs):
    fd = get_oracle("fd")
    case = _case()
    ok = check_case(case, loss_and_grads, [fd, cs])
    assert ok.verdict == "pass"
    assert "fd" in ok.skipped and "complex-step" not in ok.skipped
    assert ok.fd_mode == "full"
    bad = check_case(case, _sigmoid_deriv_on_z, [fd, cs])
    assert bad.verdict == "fail"
    assert "complex-step" in {d.b for v in bad.failing_votes() for d in v.diffs}


def test_sits_out_relu_networks_and_fd_runs(cs):
    fd = get_oracle("fd")
    r = check_case(_case(("relu", "identity")), loss_and_grads, [fd, cs])
    assert r.verdict == "pass"
    assert "relu" in r.skipped["complex-step"]
    assert "fd" not in r.skipped and r.seconds.get("fd") is not None


def test_tighter_than_fd_catches_a_tiny_error(cs):
    # an error of 1e-7 relative hides inside fd's tolerance but not inside complex-step's
    case = _case()

    def slightly_off(params, X, Y, spec):
        loss, grads = loss_and_grads(params, X, Y, spec)
        return loss, {k: v * (1 + 1e-7) for k, v in grads.items()}

    assert check_case(case, slightly_off, [get_oracle("fd")]).verdict == "pass"
    assert check_case(case, slightly_off, [cs]).verdict == "fail"
