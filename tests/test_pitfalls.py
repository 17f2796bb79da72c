"""The checker is tested too: every catalogued bug must be caught where it is observable,
pass where it is not, be named by the diagnosis, and the correct reference never blamed."""

from __future__ import annotations

import numpy as np
import pytest
from crosscheck.oracles import get_oracle
from crosscheck.reference import NetworkSpec, init_params, loss_and_grads, random_batch, random_case
from crosscheck.reference.sampling import Case

from crosscheck.diagnosis import CATALOGUE, DEFAULT_LR, grads_from_step, reference_sgd_step
from crosscheck.diagnosis.diagnose import Suspect, diagnose
from crosscheck.diagnosis.fd_variants import NoKinkMask
from crosscheck.diagnosis.variants import update_order_step
from crosscheck.engine.check import check_case

PITFALLS = sorted(CATALOGUE)
DESIGN_IDS = (
    "fd-alias-no-copy fd-eps-mismatch fd-float32 fd-int-dtype fd-output-alias fd-kink fd-step-size "
    "metric-nan-passes sign-flip batch-scale bias-mean-vs-sum bias-reduce-axis mse-missing-2-over-n "
    "mean-before-outer update-order hidden-uses-input sigmoid-deriv-input tanh-deriv-input "
    "relu-deriv-on-z relu-tie-convention inplace-dout loss-raw-labels reg-on-bias transposed-weight "
    "softmax-unstable upstream-ignored").split()
# grown from real learners' code (issue 10)
REAL_CODE_IDS = (
    "loss-log-epsilon soft-targets-argmax param-never-updated loss-overflow bias-row-broadcast "
    "stray-constant-factor half-sse-vs-mse batch-mean-input-row").split()
# the L2 term of the gradient, as learners get it wrong (issue 19)
L2_IDS = ("l2-grad-missing", "l2-grad-halved", "l2-grad-doubled")
N_DEMO = 12  # observable networks per pitfall
N_RANDOM = 12  # unconstrained random networks per pitfall


@pytest.fixture(scope="module")
def oracles():
    return {name: get_oracle(name) for name in ("torch", "tensorflow", "fd")}


def _setup(p, oracles):
    """(subject fn, subject name, oracles, the correct counterpart of the subject)."""
    torch, tf, fd = oracles["torch"], oracles["tensorflow"], oracles["fd"]
    if p.target == "fd":  # the reference is the subject; the broken fd is the third oracle
        return loss_and_grads, "reference", [torch, tf, p.fd_oracle()], [torch, tf, fd]
    correct = grads_from_step(reference_sgd_step) if p.target == "update" else loss_and_grads
    return p.loss_and_grads, "subject", [torch, tf, fd], correct


def _diagnose(p, result, subject_fn, parties):
    def rerun(case):
        return check_case(case, subject_fn, parties, subject=result.subject)

    if p.target == "update":
        def rerun_lr(lr):
            return check_case(result.case, grads_from_step(update_order_step, lr), parties)
        return diagnose(result, rerun, lr=DEFAULT_LR, rerun_lr=rerun_lr)
    return diagnose(result, rerun)


def test_catalogue_holds_every_design_id():
    assert sorted(DESIGN_IDS + REAL_CODE_IDS + list(L2_IDS)) == PITFALLS


@pytest.mark.parametrize("pid", PITFALLS)
def test_record_is_complete(pid):
    p = CATALOGUE[pid]
    assert p.id == pid and p.title and p.buggy_line and p.fixed_line and p.symptom
    assert p.buggy_line != p.fixed_line
    assert set(p.caught_by) <= {"torch", "tensorflow", "fd"} and p.caught_by
    assert p.target in ("subject", "update", "fd")
    assert (p.fd_oracle is not None) == (p.target == "fd")
    assert (p.loss_and_grads is not None) == (p.target != "fd")


@pytest.mark.parametrize("pid", PITFALLS)
def test_observable_networks_are_killed_and_named(pid, oracles):
    """Kill rate 100% on networks where the bug is observable; the diagnosis names it first
    on every one of them; the correct code passes on the same networks."""
    p = CATALOGUE[pid]
    subject_fn, subject, parties, correct = _setup(p, oracles)
    named, misses = 0, []
    for seed in range(N_DEMO):
        case = p.demo_case(np.random.default_rng([2026, seed]))
        result = check_case(case, subject_fn, parties, subject=subject)
        assert result.verdict == "fail", f"{pid} not caught on {case.spec.describe()} batch={case.batch}"
        expected_blame = ["fd"] if p.target == "fd" else ["subject"]
        assert result.blame == expected_blame, (pid, result.blame, result.error)
        suspects = _diagnose(p, result, subject_fn, parties)
        assert all(isinstance(s, Suspect) and 0 <= s.score <= 1 and s.evidence for s in suspects)
        if suspects[0].id == pid:
            named += 1
        else:
            misses.append((case.spec.describe(), case.batch, [s.id for s in suspects[:3]]))
        # no false alarm: the correct code on the very same network
        if p.target == "fd":
            ok = check_case(case, loss_and_grads, correct, subject="reference")
        else:
            ok = check_case(case, correct, parties, subject="reference")
        assert ok.verdict == "pass", (pid, "reference blamed", ok.blame)
    assert named == N_DEMO, f"{pid}: named first on {named}/{N_DEMO}; misses {misses}"


@pytest.mark.parametrize("pid", PITFALLS)
def test_random_networks_fail_exactly_when_observable(pid, oracles):
    p = CATALOGUE[pid]
    subject_fn, subject, parties, _ = _setup(p, oracles)
    for seed in range(N_RANDOM):
        rng = np.random.default_rng([11, seed])
        case = random_case(rng, max_width=6, max_depth=3, max_batch=6,
                           scale=float(rng.choice([0.5, 1.0, 2.0])))
        result = check_case(case, subject_fn, parties, subject=subject)
        why = p.why_invisible(case)
        expected = "pass" if why else "fail"
        assert result.verdict == expected, (pid, case.spec.describe(), case.batch, why, result.blame)


# ---- the documented rules, on hand-built networks ------------------------------------------

def _case(sizes, acts, loss="mse", l2=0.0, batch=4, seed=0) -> Case:
    rng = np.random.default_rng(seed)
    spec = NetworkSpec(sizes=sizes, activations=acts, loss=loss, l2=l2)
    X, Y = random_batch(spec, batch, rng)
    return Case(spec=spec, params=init_params(spec, rng), X=X, Y=Y)


@pytest.mark.parametrize("pid, case, visible", [
    ("bias-mean-vs-sum", _case((3, 4, 2), ("tanh", "identity"), batch=1), False),
    ("bias-mean-vs-sum", _case((3, 4, 2), ("tanh", "identity"), batch=5), True),
    ("batch-scale", _case((3, 2), ("identity",), batch=1), False),
    ("mse-missing-2-over-n", _case((3, 2), ("tanh",), batch=1), False),  # n = 2
    ("mse-missing-2-over-n", _case((3, 1), ("tanh",), batch=2), False),  # n = 2
    ("mse-missing-2-over-n", _case((3, 3), ("tanh",), batch=2), True),
    # under half_sse the missing factor is 1/batch: invisible at batch 1 whatever n_out is
    ("mse-missing-2-over-n", _case((3, 3), ("tanh",), loss="half_sse", batch=1), False),
    ("mse-missing-2-over-n", _case((3, 1), ("tanh",), loss="half_sse", batch=2), True),
    ("reg-on-bias", _case((3, 4, 2), ("relu", "identity"), l2=0.0), False),
    ("reg-on-bias", _case((3, 4, 2), ("relu", "identity"), l2=0.3), True),
    ("l2-grad-missing", _case((3, 4, 2), ("relu", "identity"), l2=0.0), False),
    ("l2-grad-halved", _case((3, 4, 2), ("relu", "identity"), l2=0.3), True),
    ("hidden-uses-input", _case((3, 2), ("sigmoid",)), False),
    ("hidden-uses-input", _case((3, 5, 2), ("sigmoid", "identity")), True),
    ("sigmoid-deriv-input", _case((3, 5, 2), ("tanh", "identity")), False),
    ("transposed-weight", _case((1, 1), ("identity",)), False),
    ("loss-raw-labels", _case((3, 2), ("identity",), loss="mse"), False),
    ("softmax-unstable", _case((3, 4), ("identity",), loss="softmax_cross_entropy"), False),
    ("update-order", _case((3, 2), ("identity",)), False),
])
def test_observability_rules(pid, case, visible):
    assert CATALOGUE[pid].observable(case) is visible, CATALOGUE[pid].why_invisible(case)


def test_hidden_uses_input_is_a_shape_error_when_widths_differ(oracles):
    case = _case((3, 5, 2), ("sigmoid", "identity"))
    result = check_case(case, CATALOGUE["hidden-uses-input"].loss_and_grads, [oracles["torch"]])
    assert result.verdict == "fail" and "shapes (3,2) (5,2)" in result.error  # X^T dz is (3, 2)
    assert diagnose(result)[0].id == "hidden-uses-input"


def test_fd_kinks_are_flagged_by_our_oracle_but_not_by_a_naive_one(oracles):
    """On a network with exact ReLU ties, our fd oracle marks the kinks and the correct
    reference passes; a naive fd, alone against the subject, would report the subject wrong."""
    case = CATALOGUE["fd-kink"].demo_case(np.random.default_rng(3))
    ours = check_case(case, loss_and_grads, [oracles["fd"]], subject="reference")
    assert ours.verdict == "pass" and ours.kinks > 0
    naive = check_case(case, loss_and_grads, [NoKinkMask()], subject="reference")
    assert naive.verdict == "fail"


def test_a_naive_metric_lets_nan_pass_but_ours_fails_it(oracles):
    p = CATALOGUE["metric-nan-passes"]
    case = p.demo_case(np.random.default_rng(5))
    _, grads = p.loss_and_grads(case.params, case.X, case.Y, case.spec)
    _, truth = loss_and_grads(case.params, case.X, case.Y, case.spec)
    with np.errstate(invalid="ignore"):
        worst = max(float(np.max(np.abs(grads[k] - truth[k]) / (np.abs(grads[k]) + np.abs(truth[k]))))
                    for k in grads)
    assert not worst > 1e-7  # `if err > tol: fail` never fires: max over NaN is NaN
    assert check_case(case, p.loss_and_grads, [oracles["torch"]]).verdict == "fail"


def test_no_variant_mutates_its_inputs():
    for pid, p in CATALOGUE.items():
        case = p.demo_case(np.random.default_rng(9))
        before = ({k: v.copy() for k, v in case.params.items()}, case.X.copy(), case.Y.copy())
        if p.target == "fd":
            p.fd_oracle().evaluate(case.params, case.X, case.Y, case.spec)
        else:
            try:
                p.loss_and_grads(case.params, case.X, case.Y, case.spec)
            except ValueError:  # shape errors are the bug's symptom
                pass
        assert all(np.array_equal(before[0][k], case.params[k]) for k in before[0]), pid
        assert np.array_equal(before[1], case.X) and np.array_equal(before[2], case.Y), pid


def test_update_order_error_is_proportional_to_lr():
    case = _case((3, 4, 2), ("tanh", "identity"), batch=3)
    _, truth = loss_and_grads(case.params, case.X, case.Y, case.spec)
    errs = []
    for lr in (0.2, 0.1):
        _, g = grads_from_step(update_order_step, lr)(case.params, case.X, case.Y, case.spec)
        assert np.allclose(g["W2"], truth["W2"], rtol=1e-9, atol=1e-12)  # the top layer is right
        errs.append(float(np.abs(g["W1"] - truth["W1"]).max()))
    assert errs[1] == pytest.approx(errs[0] / 2, rel=0.05)


def test_unknown_pattern_says_so(oracles):
    def noisy(params, X, Y, spec):
        loss, grads = loss_and_grads(params, X, Y, spec)
        rng = np.random.default_rng(0)
        return loss, {k: g + 0.01 * rng.normal(size=g.shape) for k, g in grads.items()}

    case = _case((3, 4, 2), ("identity", "identity"), batch=3)
    result = check_case(case, noisy, [oracles["torch"], oracles["tensorflow"], oracles["fd"]])
    suspects = diagnose(result)
    assert suspects[0].id == "unknown" and suspects[0].title == "no catalogued bug explains this"
    assert "W1 shows no simple pattern" in suspects[0].evidence and "the loss agrees" in suspects[0].evidence


def test_passing_case_has_no_suspects(oracles):
    case = _case((3, 4, 2), ("relu", "identity"))
    assert diagnose(check_case(case, loss_and_grads, [oracles["torch"]])) == []


def test_mse_missing_2_over_n_under_half_sse_is_caught_exactly_when_batch_exceeds_1(oracles):
    """The variant follows the declared squared-error loss: under half_sse its gradient is
    batch x the oracle's, so random half_sse networks fail exactly when batch > 1."""
    p = CATALOGUE["mse-missing-2-over-n"]
    parties = [oracles["torch"], oracles["tensorflow"], oracles["fd"]]
    for seed in range(6):
        rng = np.random.default_rng([12, seed])
        case = random_case(rng, losses=("half_sse",), max_width=5, max_depth=2, max_batch=3)
        result = check_case(case, p.loss_and_grads, parties, subject="subject")
        assert result.verdict == ("pass" if case.batch == 1 else "fail"), case.spec.describe()
        if case.batch > 1:
            _, truth = loss_and_grads(case.params, case.X, case.Y, case.spec)
            _, grads = p.loss_and_grads(case.params, case.X, case.Y, case.spec)
            np.testing.assert_allclose(grads["b1"], case.batch * truth["b1"], rtol=1e-12)


@pytest.mark.parametrize("pid", PITFALLS)
def test_shrunk_network_still_fails_the_same_way(pid, oracles):
    """The shrinker keeps a candidate only if it fails like the original: same blame, and the
    same error kind or the same failing tensor kinds with the same factor class."""
    from crosscheck.engine.shrink import failure_signature, same_failure, shrink_case

    p = CATALOGUE[pid]
    if p.target == "fd":
        subject_fn, subject, parties = loss_and_grads, "reference", [oracles["torch"], p.fd_oracle()]
    else:
        subject_fn, subject, parties = p.loss_and_grads, "subject", [oracles["torch"], oracles["fd"]]
    case = p.demo_case(np.random.default_rng([2027, 1]))
    result = check_case(case, subject_fn, parties, subject=subject)
    assert result.verdict == "fail", (pid, case.spec.describe())
    small, small_result, steps, checks = shrink_case(result, subject_fn, parties, budget=30)
    assert small_result.verdict == "fail" and small_result.blame == result.blame
    before, after = failure_signature(result), failure_signature(small_result)
    assert same_failure(before, after), (pid, before, after)
    # spelled out: the same error kind, or the same failing tensor kinds whose factor classes
    # (a symbolic ratio, zero, non-finite, not a uniform ratio) share a name
    assert before[0] == after[0], (pid, before, after)
    if before[0] == "values":
        assert [k for _, k, _ in before[1]] == [k for _, k, _ in after[1]], (pid, before, after)
        assert all(a & b for (_, _, a), (_, _, b) in zip(before[1], after[1], strict=True))
    else:
        assert before == after
    assert small.spec.depth <= case.spec.depth and small.batch <= case.batch


# ---- the L2 term: measured facts, whether or not a catalogued bug explains them ------------

def _l2_off(factors: dict, loss_penalty: float = 1.0):
    """The reference whose weight gradients carry ``factors[k]`` x their L2 term (1 elsewhere)
    and whose loss carries ``loss_penalty`` x the penalty."""
    from crosscheck.reference.losses import l2_penalty

    def fn(params, X, Y, spec):
        loss, grads = loss_and_grads(params, X, Y, spec)
        weights = [params[f"W{i}"] for i in range(1, spec.depth + 1)]
        loss += (loss_penalty - 1.0) * l2_penalty(weights, spec.l2, X.shape[0])
        return loss, {k: g + (factors.get(k, 1.0) - 1.0) * spec.l2 / X.shape[0] * params[k]
                      for k, g in grads.items()}
    return fn


@pytest.mark.parametrize("factors, loss_penalty, named, fact", [
    ({"W1": 0.0, "W2": 0.0}, 0.0, "l2-grad-missing", "the loss lacks the penalty too (l2 is ignored)"),
    ({"W1": 0.5, "W2": 0.5}, 1.0, "l2-grad-halved", "off by exactly -0.5 x l2/batch x W"),
    ({"W1": 2.0, "W2": 2.0}, 1.0, "l2-grad-doubled", "off by exactly +1 x l2/batch x W"),
    # outside the catalogue: measured, not named
    ({"W2": 0.0}, 1.0, "unknown", "W2 is off by exactly -1 x l2/batch x W2: its L2 term is missing; "
                                  "W1, b1, b2 agree; every data gradient agrees: only L2 terms are wrong"),
    ({"W1": -1.0, "W2": -1.0}, 1.0, "unknown", "W1 is off by exactly -2 x l2/batch x W1: its L2 term "
                                               "has the wrong sign"),
    ({}, 0.0, "unknown", "short by exactly the L2 penalty"),
])
def test_l2_term_is_measured_and_named_where_catalogued(factors, loss_penalty, named, fact, oracles):
    fn = _l2_off(factors, loss_penalty)
    case = _case((3, 4, 2), ("tanh", "identity"), l2=0.7, batch=5)
    parties = [oracles["torch"], oracles["fd"]]
    result = check_case(case, fn, parties)
    assert result.verdict == "fail"
    suspects = diagnose(result, lambda c: check_case(c, fn, parties))
    assert suspects[0].id == named, suspects[0].evidence
    assert fact in suspects[0].evidence, suspects[0].evidence


# ---- a factor that follows the batch size is batch-dependent, never a stray constant --------

def _one_tensor_times(k: str, factor):
    def fn(params, X, Y, spec):
        loss, grads = loss_and_grads(params, X, Y, spec)
        return loss, {**grads, k: grads[k] * factor(X.shape[0])}
    return fn


@pytest.mark.parametrize("k, factor, named, fact", [
    ("b2", lambda batch: batch, "unknown",
     "b2's factor follows the batch size, batch (4 at batch 4, 5 at batch 5): batch-dependent, "
     "a sum over the batch where a mean belongs"),
    ("W1", lambda batch: 1.0 / batch, "unknown",
     "W1's factor follows the batch size, 1/batch (0.25 at batch 4, 0.2 at batch 5): "
     "batch-dependent, a mean over the batch where a sum belongs"),
    # the same number at batch 4, but a constant: it stays 4 at batch 5
    ("b2", lambda batch: 4.0, "stray-constant-factor", "b2 x 4 on top"),
])
def test_a_factor_that_follows_the_batch_is_named_batch_dependent(k, factor, named, fact, oracles):
    fn = _one_tensor_times(k, factor)
    case = _case((3, 4, 2), ("tanh", "identity"), batch=4, seed=1)
    parties = [oracles["torch"], oracles["fd"]]
    result = check_case(case, fn, parties)
    suspects = diagnose(result, lambda c: check_case(c, fn, parties))
    assert suspects[0].id == named, suspects[0].evidence
    assert fact in suspects[0].evidence, suspects[0].evidence
    assert "stray-constant-factor" not in suspects[0].evidence or named == "stray-constant-factor"


def test_a_rerun_that_raises_keeps_the_diagnosis_of_the_network(oracles):
    """The caller's re-runs may stop (a spent budget, a dead worker): what one network shows
    is still measured and named, never "could not measure"."""
    fn = _one_tensor_times("b2", lambda batch: batch)
    case = _case((3, 4, 2), ("tanh", "identity"), batch=4, seed=1)
    parties = [oracles["torch"], oracles["fd"]]
    result = check_case(case, fn, parties)
    calls = []

    def spent(c):
        calls.append(c)
        raise RuntimeError("re-run budget spent")

    suspects = diagnose(result, spent)
    assert calls, "the diagnosis asked for no re-run: this test tests nothing"
    assert not any("could not measure" in s.evidence for s in suspects), suspects[0].evidence
    # without a re-run at another batch size, the network alone shows a factor 4 on b2
    assert "b2 x 4" in suspects[0].evidence, suspects[0].evidence
