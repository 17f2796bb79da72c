"""The central-difference core (oracles/fd_core.py) on functions whose derivatives are known,
and each learner-bug parameter giving its documented wrong answer."""

from __future__ import annotations

import numpy as np
import pytest
from crosscheck.oracles.fd_core import (
    CORRECT,
    DEFAULT_STEP,
    Flaws,
    central_difference,
    central_differences,
    chunks,
    coordinate_difference,
    perturbed,
    richardson,
    sampled,
    step_sizes,
)

# f, f' on points away from any kink
SMOOTH = {
    "cubic": (lambda x: x**3 - 2 * x**2 + 3 * x - 1, lambda x: 3 * x**2 - 4 * x + 3),
    "exp": (np.exp, np.exp),
    "quadratic": (lambda x: 0.5 * x**2, lambda x: x),
}
POINTS = np.array([-2.5, -0.3, 0.0, 0.7, 1.9, 4.0])


def _scalar_at(f, x):
    return lambda s: f(x + s)


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_central_difference_of_smooth_functions(name):
    f, df = SMOOTH[name]
    h = step_sizes(POINTS)
    got = np.array([central_difference(_scalar_at(f, x), hx) for x, hx in zip(POINTS, h, strict=True)])
    # truncation h^2 |f'''| / 6 plus rounding eps |f| / h: both ~1e-10 relative here
    np.testing.assert_allclose(got, df(POINTS), rtol=1e-8, atol=1e-9)


def test_quadratic_is_exact_up_to_rounding():
    """The central difference has no h^1 term: a quadratic's derivative comes out exact."""
    f = lambda x: 3.0 * x**2 - x  # noqa: E731
    assert central_difference(_scalar_at(f, 0.5), 0.25) == pytest.approx(2.0, abs=1e-15)


def test_a_kink_gives_the_chord():
    """|x| at 0: the central difference is 0, the chord across the kink, neither one-sided slope;
    away from the kink by more than h it is the slope."""
    assert central_difference(_scalar_at(np.abs, 0.0), DEFAULT_STEP) == 0.0
    x = 3 * DEFAULT_STEP / 4  # within h of the kink: (|x + h| - |x - h|) / 2h = x / h
    assert central_difference(_scalar_at(np.abs, x), DEFAULT_STEP) == pytest.approx(0.75)
    assert central_difference(_scalar_at(np.abs, 2 * DEFAULT_STEP), DEFAULT_STEP) == pytest.approx(1.0)


def test_step_rule():
    t = np.array([0.0, 0.5, -1.0, 4.0, -1e3])
    np.testing.assert_array_equal(step_sizes(t), DEFAULT_STEP * np.array([1, 1, 1, 4, 1e3]))
    np.testing.assert_array_equal(step_sizes(t, 1e-6, relative=False), np.full(5, 1e-6))
    assert DEFAULT_STEP == 2.0**-17
    # t + h is never rounded back to t, however large t
    assert np.all((1e12 + step_sizes(1e12)) != 1e12)


def test_directional_derivative_is_the_gradient_along_u():
    """f(x) = sum exp(x) + x0 x1: grad = exp(x) + (x1, x0, 0)."""
    x = np.array([0.3, -0.4, 1.1])
    u = np.array([0.6, 0.0, -0.8])

    def f(v):
        return float(np.sum(np.exp(v)) + v[0] * v[1])

    grad = np.exp(x) + np.array([x[1], x[0], 0.0])
    d = central_difference(lambda s: f(x + s * u), DEFAULT_STEP)
    assert d == pytest.approx(float(grad @ u), rel=1e-9)
    # the vectorised form on the same direction: same number
    (dv,), _ = central_differences(
        lambda sel, signed: (np.exp(perturbed(x[None], u[None], signed)).sum(axis=1)
                             + perturbed(x[None], u[None], signed)[:, 0]
                             * perturbed(x[None], u[None], signed)[:, 1], None),
        DEFAULT_STEP)
    assert dv == d


def _vectorised_cubic(x):
    """Objective of the coordinates of sum(x^3): perturbation p moves x[p]."""
    def objective(sel, signed):
        q = signed.size // 2
        idx = np.concatenate([np.arange(x.size)[sel]] * 2)
        moved = np.repeat(x[None], 2 * q, axis=0)
        moved[np.arange(2 * q), idx] += signed
        return (moved**3).sum(axis=1), moved[np.arange(2 * q), idx] < 0
    return objective


def test_vectorised_differences_and_flags():
    x = np.array([0.5, -2.0, 3 * DEFAULT_STEP / 4, 1.5])
    d, flags = central_differences(_vectorised_cubic(x), step_sizes(x))
    np.testing.assert_allclose(d, 3 * x**2, rtol=1e-8, atol=1e-9)
    # flagged when either side is: x[1] both sides < 0, x[2] only its minus side
    np.testing.assert_array_equal(flags, [False, True, True, False])


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 100])
def test_chunking_gives_the_same_numbers(chunk):
    x = np.random.default_rng(0).normal(size=7)
    whole = central_differences(_vectorised_cubic(x), step_sizes(x))
    parts = central_differences(_vectorised_cubic(x), step_sizes(x), chunk=chunk)
    np.testing.assert_array_equal(whole[0], parts[0])
    np.testing.assert_array_equal(whole[1], parts[1])
    calls = []
    central_differences(lambda sel, signed: (calls.append(signed.size) or np.zeros(signed.size), None),
                        np.ones(7), chunk=chunk)
    assert calls == [2 * min(chunk, 7 - s) for s in range(0, 7, chunk)]


def test_chunks_cover_every_index_once():
    assert [list(range(9))[s] for s in chunks(9, 4)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8]]
    assert list(chunks(5, None)) == [slice(0, 5)]
    assert list(chunks(0, 3)) == []


def test_richardson_cancels_the_h2_term():
    """exp at 1 with a large step: D(h) is off by h^2 e / 6; the extrapolation by O(h^4)."""
    def D(h):  # noqa: N802
        return central_difference(lambda s: np.exp(1.0 + s), h)
    h = 1e-2
    assert abs(D(h) - np.e) > 1e-6
    assert abs(richardson(D, h) - np.e) < 1e-9


def test_sampled_coordinates():
    values = np.arange(12.0)

    def differences(coords):
        return values[coords] * 2, values[coords] > 8

    g, k, u = sampled(differences, (3, 4), None, None)
    np.testing.assert_array_equal(g, (values * 2).reshape(3, 4))
    assert u is None and k.sum() == 3
    g, k, u = sampled(differences, (3, 4), 5, np.random.default_rng(1))
    assert (~u).sum() == 5 and np.isnan(g[u]).all()
    np.testing.assert_array_equal(g[~u], (values * 2).reshape(3, 4)[~u])
    assert sampled(differences, (3, 4), 12, None)[2] is None  # small enough: whole


# ---- the coordinate loop and its flaws: J(x) = sum x^2 at [1, 2], gradient [2, 4] ------------

def _J(moved):
    return float(np.sum(np.asarray(moved, dtype=np.float64) ** 2))


def _grad(flaws=CORRECT, step=1e-5, x=(1.0, 2.0)):
    theta = flaws.working(np.array(x))
    before = theta.copy()
    g = np.array([coordinate_difference(_J, theta, i, step, flaws) for i in range(theta.size)])
    np.testing.assert_array_equal(theta, before)  # put back, whatever the flaw
    return g


def test_correct_loop():
    np.testing.assert_allclose(_grad(), [2.0, 4.0], rtol=1e-9)


def test_correct_loop_never_writes_the_array():
    theta = np.array([1.0, 2.0])
    theta.flags.writeable = False
    assert coordinate_difference(_J, theta, 1, 1e-5) == pytest.approx(4.0)


def test_alias_no_copy_is_a_forward_difference_over_2h():
    """thetaminus = theta: J- is J at (t + h) - h = t, so (J(t + h) - J(t)) / 2h ~ grad / 2."""
    g = _grad(Flaws(copy=False))
    np.testing.assert_allclose(g, [1.0, 2.0], rtol=1e-4)
    x = np.array([1.0, 2.0])
    forward = [(_J(x + np.eye(2)[i] * 1e-5) - _J(x)) / 2e-5 for i in range(2)]
    np.testing.assert_array_equal(g, forward)


def test_eps_mismatch_scales_by_eps_over_epsilon():
    g = _grad(Flaws(divide_by=1e-4), step=1e-7)
    np.testing.assert_allclose(g, [2e-3, 4e-3], rtol=1e-6)


def test_float32_quantises_to_multiples_of_ulp_over_2h():
    """At [10, 20] (J = 500, gradient [20, 40]) the loss carries 7 digits: (fp - fm) / 2h
    is a multiple of ulp(J) / 2h, about 1.5, instead of 20 and 40."""
    g = _grad(Flaws(dtype=np.float32), x=(10.0, 20.0))
    h, f32 = np.float32(1e-5), np.float32
    quantum = float(np.spacing(f32(500.0)) / (f32(2) * h))
    np.testing.assert_allclose(g / quantum, np.round(g / quantum), atol=1e-6)
    assert not np.allclose(g, [20.0, 40.0], rtol=1e-2)
    # the learner's loop, written out: every step of it in single precision
    x = np.array([10.0, 20.0], dtype=np.float32)
    want = []
    for i in range(2):
        plus, minus = x.copy(), x.copy()
        plus[i], minus[i] = x[i] + h, x[i] - h
        want.append(float((f32(_J(plus)) - f32(_J(minus))) / (f32(2) * h)))
    np.testing.assert_array_equal(g, want)


def test_int_dtype_matches_the_catalogue_example():
    """grad of sum x^2 at [1, 2] comes out as [5000, 15000] (the catalogue's symptom)."""
    # (J(x) - J(x - e_i)) / 2h: the writes t + h and t - h truncate to t and t - 1
    np.testing.assert_allclose(_grad(Flaws(dtype=np.int64)), [50000.0, 150000.0], rtol=1e-12)
    np.testing.assert_allclose(_grad(Flaws(dtype=np.int64), step=1e-4), [5000.0, 15000.0],
                               rtol=1e-12)


def test_output_alias_is_exactly_zero():
    np.testing.assert_array_equal(_grad(Flaws(output_alias=True)), [0.0, 0.0])


def test_step_too_small_is_rounding_noise():
    """h = 1e-12 on J ~ 5: the rounding error eps |J| / h ~ 1e-3 swamps the 1e-9 accuracy
    of a good step."""
    good, bad = _grad(step=2.0**-17), _grad(step=1e-12)
    assert np.max(np.abs(good - [2, 4])) < 1e-8
    assert np.max(np.abs(bad - [2, 4])) > 1e-5


def test_catalogue_variants_are_core_parameters():
    """Each fd pitfall is NaiveFD with one parameter of the core set wrong."""
    from crosscheck.diagnosis import fd_variants as F

    correct = F.NaiveFD()
    assert correct.flaws == CORRECT and correct.step == DEFAULT_STEP and correct.relative
    wrong = {pid: make() for pid, make in F.FD_VARIANTS.items()}
    assert wrong["fd-alias-no-copy"].flaws == Flaws(copy=False)
    assert wrong["fd-eps-mismatch"].flaws.divide_by == 1e-4 and wrong["fd-eps-mismatch"].step == 1e-7
    assert wrong["fd-float32"].flaws.dtype == np.float32
    assert wrong["fd-int-dtype"].flaws.dtype == np.int64
    assert wrong["fd-output-alias"].flaws.output_alias
    assert wrong["fd-step-size"].step == 1e-12 and wrong["fd-step-size"].flaws == CORRECT
    assert wrong["fd-kink"].flaws == CORRECT and wrong["fd-kink"].step == DEFAULT_STEP
