"""The oracles are checked too: known gradients, step invariance, kinks, selection by name."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from crosscheck.oracles import OracleUnavailable, get_oracle
from crosscheck.oracles.fd import DEFAULT_STEP, FiniteDifferenceOracle
from crosscheck.reference import Case, NetworkSpec, init_params, loss_and_grads, random_batch

from crosscheck.engine.check import check_case

from .helpers import ridge_case


def test_fd_on_a_quadratic_with_known_gradient():
    """Central differences are exact for a quadratic, up to rounding: ~1e-10 here."""
    case, truth_loss, truth = ridge_case(seed=11, n_in=4, n_out=3, batch=6, l2=0.3)
    result = FiniteDifferenceOracle().evaluate(case.params, case.X, case.Y, case.spec)
    assert result.loss == pytest.approx(truth_loss, rel=1e-14)
    for k in truth:
        assert np.max(np.abs(result.grads[k] - truth[k])) < 1e-9, k
        assert not result.kinks[k].any()


def _smooth_case(seed=5):
    rng = np.random.default_rng(seed)
    spec = NetworkSpec(sizes=(5, 7, 6, 3), activations=("tanh", "sigmoid", "identity"),
                       loss="softmax_cross_entropy", l2=0.2)
    params = init_params(spec, rng, scale=2.0)
    X, Y = random_batch(spec, 8, rng)
    return Case(spec, params, X, Y)


def test_fd_eps_sweep_converges_at_second_order():
    """A correct central difference is step-invariant to O(h^2): halving h cuts the error ~4x
    until rounding takes over. (The fd-eps-mismatch bug scales the result with the step.)"""
    c = _smooth_case()
    _, truth = loss_and_grads(c.params, c.X, c.Y, c.spec)
    errors = []
    for step in (2.0**-5, 2.0**-6, 2.0**-7):  # large steps: truncation dominates, visibly
        g = FiniteDifferenceOracle(step=step).evaluate(c.params, c.X, c.Y, c.spec).grads
        errors.append(max(np.max(np.abs(g[k] - truth[k])) for k in truth))
    ratios = [errors[i] / errors[i + 1] for i in range(2)]
    assert all(3.0 < r < 5.0 for r in ratios), ratios
    fine = FiniteDifferenceOracle(step=DEFAULT_STEP).evaluate(c.params, c.X, c.Y, c.spec).grads
    assert max(np.max(np.abs(fine[k] - truth[k])) for k in truth) < 1e-8


def test_fd_richardson_refinement_beats_plain_difference():
    c = _smooth_case()
    _, truth = loss_and_grads(c.params, c.X, c.Y, c.spec)
    fd = FiniteDifferenceOracle(step=2.0**-6)
    plain = fd.evaluate(c.params, c.X, c.Y, c.spec).grads["W1"]
    mask = np.ones(plain.shape, dtype=bool)
    refined = fd.refine(c.params, c.X, c.Y, c.spec, "W1", mask).reshape(plain.shape)
    assert np.max(np.abs(refined - truth["W1"])) < np.max(np.abs(plain - truth["W1"])) / 50


def test_directional_mode_matches_the_gradient_projection():
    c = _smooth_case(6)
    _, truth = loss_and_grads(c.params, c.X, c.Y, c.spec)
    d = FiniteDifferenceOracle().directional(c.params, c.X, c.Y, c.spec, np.random.default_rng(1))
    for k in truth:
        assert np.linalg.norm(d.directions[k]) == pytest.approx(1.0)
        assert d.derivatives[k] == pytest.approx(float(np.sum(truth[k] * d.directions[k])),
                                                 rel=1e-6, abs=1e-9)
        assert not d.kinked[k]


def _kinked_case():
    """A ReLU unit whose pre-activation on sample 0 sits 1e-7 above zero: any finite step
    through that unit crosses the kink."""
    rng = np.random.default_rng(2)
    spec = NetworkSpec(sizes=(3, 4, 2), activations=("relu", "identity"), loss="mse")
    params = init_params(spec, rng)
    X, Y = random_batch(spec, 4, rng)
    z = X @ params["W1"] + params["b1"]
    params["b1"] = params["b1"].copy()
    params["b1"][1] += 1e-7 - z[0, 1]
    return Case(spec, params, X, Y)


def test_fd_flags_kinks_and_the_gate_excludes_them():
    c = _kinked_case()
    result = FiniteDifferenceOracle().evaluate(c.params, c.X, c.Y, c.spec)
    _, truth = loss_and_grads(c.params, c.X, c.Y, c.spec)
    assert result.kinks["b1"][1] and result.kinks["W1"][:, 1].all()
    # the flagged coordinate really is a chord across the kink, not the gradient
    assert abs(result.grads["b1"][1] - truth["b1"][1]) > 1e-3
    assert not result.kinks["W2"].any() and not result.kinks["b2"].any()
    verdict = check_case(c, loss_and_grads, [get_oracle("fd")])
    assert verdict.verdict == "pass" and verdict.kinks >= 1


def test_unknown_oracle_names_the_choices():
    with pytest.raises(ValueError, match="unknown oracle 'jax'; choose from torch, tensorflow, fd"):
        get_oracle("jax")


def test_missing_framework_is_a_loud_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(OracleUnavailable, match=r"oracle 'torch' needs 'torch>=2.2,<2.14'.*pip install"):
        get_oracle("torch")


@pytest.mark.parametrize("step", [0, -1e-5, 1.5, "1e-5"])
def test_fd_rejects_a_bad_step(step):
    with pytest.raises(ValueError, match="step must be a number in"):
        FiniteDifferenceOracle(step=step)


def test_importing_the_packages_imports_no_framework():
    code = ("import sys, crosscheck, crosscheck.reference, crosscheck.oracles, crosscheck.cli.main; "
            "print(sorted(m for m in ('torch', 'tensorflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["torch", "tensorflow"])
def test_autodiff_oracles_repeat_exactly_and_keep_no_state(name, oracle_cache):
    """A second call gives the same gradients (no accumulation into .grad, no stale state),
    and the TF oracle's traced path equals its eager path."""
    c = _smooth_case(9)
    oracle = oracle_cache(name)
    first = oracle.evaluate(c.params, c.X, c.Y, c.spec)
    for _ in range(2):
        again = oracle.evaluate(c.params, c.X, c.Y, c.spec)
        for k in first.grads:
            assert np.allclose(again.grads[k], first.grads[k], rtol=1e-13, atol=1e-15)


def _blas_threads() -> set[int]:
    from threadpoolctl import threadpool_info

    return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}


@pytest.mark.parametrize("environment", [None, "OPENBLAS_NUM_THREADS"])
def test_fd_runs_numpy_blas_on_one_thread_and_gives_the_caller_its_own_back(environment,
                                                                             monkeypatch):
    """fd's many small products run on one BLAS thread (two oversubscribe a shared machine:
    benchmarks/blas.py); the caller's setting is back afterwards, and a count the user set
    in the environment is left alone."""
    from crosscheck.oracles import fd as fd_module
    from threadpoolctl import threadpool_limits

    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    if environment:
        monkeypatch.setenv(environment, "2")
    seen = []
    product = fd_module.rows_matmul

    def spy(a, w):
        seen.append(_blas_threads())
        return product(a, w)

    monkeypatch.setattr(fd_module, "rows_matmul", spy)
    case = _smooth_case()  # depth 3: the layers above a perturbed one run through rows_matmul
    oracle = FiniteDifferenceOracle()
    with threadpool_limits(2, user_api="blas"):
        oracle.evaluate(case.params, case.X, case.Y, case.spec)
        oracle.directional(case.params, case.X, case.Y, case.spec, np.random.default_rng(0))
        after = _blas_threads()
    assert seen and all(s == ({2} if environment else {1}) for s in seen)
    assert after == {2}
