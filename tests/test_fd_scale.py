"""Finite differences that scale: sampled full checks plus directional checks on large networks."""

from __future__ import annotations

import io

import numpy as np
import pytest
from crosscheck.oracles import get_oracle
from crosscheck.reference import NetworkSpec, init_params, loss_and_grads
from crosscheck.reference.sampling import Case, random_batch
from crosscheck.reports.report_json import report_dict

from crosscheck.cli.main import main
from crosscheck.cli.run import print_summary
from crosscheck.engine.campaign import CampaignOptions, run_campaign
from crosscheck.engine.check import FD_SAMPLE_PER_TENSOR, check_case


def _case(sizes=(64, 40, 3), activations=("tanh", "identity"), loss="softmax_cross_entropy",
          seed=0, batch=4):
    spec = NetworkSpec(sizes=sizes, activations=activations, loss=loss, l2=0.2)
    rng = np.random.default_rng(seed)
    params = init_params(spec, rng)
    X, Y = random_batch(spec, batch, rng)
    return Case(spec=spec, params=params, X=X, Y=Y)


@pytest.fixture(scope="module")
def fd():
    return get_oracle("fd")


def test_sampled_values_equal_the_full_ones_and_the_rest_is_marked(fd):
    case = _case()
    args = (case.params, case.X, case.Y, case.spec)
    full = fd.evaluate(*args)
    part = fd.evaluate(*args, sample=100, rng=np.random.default_rng(5))
    assert set(part.unchecked) == {"W1", "W2"}  # b1 (40) and b2 (3) are smaller: done whole
    for name, g in full.grads.items():
        unchecked = part.unchecked.get(name, np.zeros(g.shape, dtype=bool))
        assert int((~unchecked).sum()) == min(100, g.size)
        assert np.all(np.isnan(part.grads[name][unchecked]))
        np.testing.assert_array_equal(part.grads[name][~unchecked], g[~unchecked])
    assert part.loss == full.loss


def test_sampling_is_reproducible_and_validated(fd):
    case = _case()
    args = (case.params, case.X, case.Y, case.spec)
    a = fd.evaluate(*args, sample=50, rng=np.random.default_rng(1))
    b = fd.evaluate(*args, sample=50, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a.unchecked["W1"], b.unchecked["W1"])
    with pytest.raises(TypeError, match="Generator"):
        fd.evaluate(*args, sample=50)
    with pytest.raises(ValueError, match="sample"):
        fd.evaluate(*args, sample=0, rng=np.random.default_rng(1))


def test_large_network_is_checked_sampled_and_passes(fd):
    case = _case()
    r = check_case(case, loss_and_grads, [fd], large_params=1000, case_seed=[0, 0])
    assert r.verdict == "pass", [v.tensor for v in r.failing_votes()]
    assert r.fd_mode == "sampled"
    n_w1 = case.params["W1"].size
    assert r.fd_checked == min(FD_SAMPLE_PER_TENSOR, n_w1) + 40 + 120 + 3
    tensors = {v.tensor for v in r.votes}
    assert {"W1.u", "b1.u", "W2.u", "b2.u"} <= tensors
    w1 = next(v for v in r.votes if v.tensor == "W1")
    assert w1.diffs[0].n_unchecked == n_w1 - FD_SAMPLE_PER_TENSOR
    assert w1.diffs[0].n_excluded == 0  # unchecked coordinates are not kinks
    small = check_case(case, loss_and_grads, [fd])
    assert small.fd_mode == "full" and small.fd_checked == 2560 + 40 + 120 + 3


def test_large_network_with_complex_step_sampled_too(fd):
    """complex-step on a large network runs on the same sample; it has no full gradient to
    project on the direction, so it must not turn the directional votes into false alarms."""
    cs = get_oracle("complex-step")
    r = check_case(_case(), loss_and_grads, [fd, cs], large_params=1000, case_seed=[0, 1])
    assert r.verdict == "pass", [d.message() for v in r.failing_votes() for d in v.diffs]
    assert r.fd_mode == "sampled" and not r.skipped


def test_directional_check_catches_a_bug_outside_the_sample(fd):
    """A gradient wrong only at coordinates the sampled check skips: the directional (adjoint)
    check still fails it."""
    case = _case()
    seed = [0, 0]
    # the engine draws W1's sample first from Generator([*case_seed, 0x5A])
    sampled = np.random.default_rng([*seed, 0x5A]).choice(case.params["W1"].size,
                                                            size=FD_SAMPLE_PER_TENSOR,
                                                            replace=False)
    outside = np.ones(case.params["W1"].size, dtype=bool)
    outside[sampled] = False

    def wrong_outside_sample(params, X, Y, spec):
        loss, grads = loss_and_grads(params, X, Y, spec)
        g = grads["W1"].ravel().copy()
        g[outside] *= 3.0
        return loss, {**grads, "W1": g.reshape(grads["W1"].shape)}

    r = check_case(case, wrong_outside_sample, [fd], large_params=1000, case_seed=seed)
    assert r.verdict == "fail"
    failing = {v.tensor for v in r.failing_votes()}
    assert failing == {"W1.u"}, failing  # the sampled W1 comparison itself agrees


def test_a_784_256_256_10_network_in_full_stays_bounded(fd):
    """~270k parameters: full mode runs chunked (memory bounded by chunk_elements)."""
    case = _case(sizes=(784, 256, 256, 10), activations=("relu", "tanh", "identity"), batch=2)
    r = fd.evaluate(case.params, case.X, case.Y, case.spec)
    loss, grads = loss_and_grads(case.params, case.X, case.Y, case.spec)
    for name, g in grads.items():
        ok = ~r.kinks[name]
        np.testing.assert_allclose(r.grads[name][ok], g[ok], rtol=1e-5,
                                   atol=1e-6 * np.abs(g).max() + 1e-7 * max(1.0, loss))


def test_run_says_when_it_sampled(fd):
    options = CampaignOptions(networks=1, sizes=(330, 310, 2), batch=2)
    result = run_campaign(loss_and_grads, "reference", [get_oracle("torch"), fd], options)
    out = io.StringIO()
    print_summary(result, out=out)
    assert result.verdict == "pass", out.getvalue()
    assert "1 large network(s): finite differences ran directional checks" in out.getvalue()
    assert "sampled full check" in out.getvalue()
    assert report_dict(result)["cases"][0]["fd_mode"] == "sampled"


@pytest.mark.parametrize("flag", ["--max-depth", "--max-width", "--scale"])
def test_bad_network_options_exit_2(flag, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--networks", "1", flag, "0"])
    assert exc.value.code == 2
    assert flag in capsys.readouterr().err
