"""The conventions that change the mathematics (issue 19): ``reduction`` (mean | sum),
``l2_convention`` (batch | plain) and networks without biases. Each lives on the NetworkSpec
(reference/spec.py); the reference, every oracle, the reproduction scripts and the campaign
read it from there. The formulas are pinned here by hand, independently of the spec's methods."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from crosscheck.oracles import ORACLE_NAMES
from crosscheck.reference import NetworkSpec, init_params, loss_and_grads, random_case

from crosscheck.cli.main import main
from crosscheck.engine.check import check_case

CONVENTIONS = {
    "sum": dict(reduction="sum"),
    "plain": dict(l2_convention="plain"),
    "sum-plain": dict(reduction="sum", l2_convention="plain"),
    "no-bias": dict(bias=False),
    "sum-no-bias": dict(reduction="sum", bias=False),
}


def _case(seed: int, **conventions):
    return random_case(np.random.default_rng([19, seed]), l2=0.7, min_depth=2, max_depth=3,
                       max_width=6, max_batch=6, scale=1.0,
                       hidden_activations=("tanh", "sigmoid", "relu"), **conventions)


def _sq(params) -> float:
    return sum(float(np.sum(v * v)) for k, v in params.items() if k.startswith("W"))


# ---- the reference, against the formulas written out --------------------------------------------

@pytest.mark.parametrize("seed", range(4))
def test_summed_loss_is_batch_times_the_mean_objective(seed):
    """reduction=sum: L = sum over the batch of the per-example loss + lambda/2 sum W^2,
    i.e. batch x the contract's objective, every gradient too."""
    case = _case(seed)
    summed = replace(case.spec, reduction="sum")
    loss, grads = loss_and_grads(case.params, case.X, case.Y, case.spec)
    s_loss, s_grads = loss_and_grads(case.params, case.X, case.Y, summed)
    n = case.batch
    assert s_loss == pytest.approx(n * loss, rel=1e-12)
    for k in grads:
        np.testing.assert_allclose(s_grads[k], n * grads[k], rtol=1e-12, atol=1e-14)
    # the same summed objective whatever l2_convention says: lambda / 2 sum W^2
    plain = replace(summed, l2_convention="plain")
    assert loss_and_grads(case.params, case.X, case.Y, plain)[0] == pytest.approx(s_loss, rel=1e-12)
    # per example: the sum of batch-1 losses, penalty once
    per_example = sum(
        loss_and_grads(case.params, case.X[i:i + 1], case.Y[i:i + 1], replace(case.spec, l2=0.0))[0]
        for i in range(n))
    assert s_loss == pytest.approx(per_example + case.spec.l2 / 2 * _sq(case.params), rel=1e-10)


@pytest.mark.parametrize("seed", range(4))
def test_plain_penalty_is_cs231n(seed):
    """l2_convention=plain with a mean loss: L = mean loss + 0.5 * reg * sum(W * W), dW gets
    reg * W (no division by the batch)."""
    case = _case(seed)
    plain = replace(case.spec, l2_convention="plain")
    data, data_grads = loss_and_grads(case.params, case.X, case.Y, replace(case.spec, l2=0.0))
    loss, grads = loss_and_grads(case.params, case.X, case.Y, plain)
    reg = case.spec.l2
    assert loss == pytest.approx(data + 0.5 * reg * _sq(case.params), rel=1e-12)
    for k in grads:
        extra = reg * case.params[k] if k.startswith("W") else 0.0
        np.testing.assert_allclose(grads[k], data_grads[k] + extra, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", range(4))
def test_no_bias_network_is_the_network_with_zero_biases(seed):
    case = _case(seed, bias=False)
    assert case.spec.param_names() == tuple(f"W{i}" for i in range(1, case.spec.depth + 1))
    assert set(case.params) == set(case.spec.param_names())
    with_bias = replace(case.spec, bias=True)
    zeros = {**case.params, **{f"b{i}": np.zeros(case.spec.sizes[i])
                               for i in range(1, case.spec.depth + 1)}}
    loss, grads = loss_and_grads(case.params, case.X, case.Y, case.spec)
    z_loss, z_grads = loss_and_grads(zeros, case.X, case.Y, with_bias)
    assert set(grads) == set(case.params)
    assert loss == pytest.approx(z_loss, rel=1e-13)
    for k in grads:
        np.testing.assert_allclose(grads[k], z_grads[k], rtol=1e-13, atol=1e-15)
    with pytest.raises(ValueError, match="unexpected"):
        loss_and_grads(zeros, case.X, case.Y, case.spec)


def test_defaults_draw_the_same_networks_and_dicts():
    """The conventions take nothing from the Generator and a default spec's dict is as before."""
    a = random_case(np.random.default_rng(5))
    b = random_case(np.random.default_rng(5), reduction="sum", l2_convention="plain")
    assert a.spec.sizes == b.spec.sizes and all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert set(a.spec.to_dict()) == {"sizes", "activations", "loss", "l2"}
    assert b.spec.to_dict()["reduction"] == "sum" and "bias" not in b.spec.to_dict()
    assert NetworkSpec.from_dict(b.spec.to_dict()) == b.spec
    nb = replace(a.spec, bias=False)
    assert NetworkSpec.from_dict(nb.to_dict()) == nb and nb.describe().endswith("no-bias")


def test_bad_conventions_are_value_errors():
    for bad, match in ((dict(reduction="total"), "reduction"), (dict(l2_convention="x"), "l2_convention"),
                       (dict(bias=0), "bias")):
        with pytest.raises(ValueError, match=match):
            NetworkSpec(sizes=(2, 2), activations=("identity",), **bad)


def test_init_params_without_biases():
    spec = NetworkSpec(sizes=(3, 4, 2), activations=("tanh", "identity"), bias=False)
    assert set(init_params(spec, np.random.default_rng(0))) == {"W1", "W2"}


# ---- every oracle computes the convention itself -------------------------------------------------

@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("oracle_name", ORACLE_NAMES)
def test_reference_agrees_with_every_oracle_under_each_convention(oracle_name, convention,
                                                                   oracle_cache):
    oracle = oracle_cache(oracle_name)
    judged = 0
    for seed in range(4):
        case = _case(seed, **CONVENTIONS[convention])
        if not getattr(oracle, "applies", lambda spec: True)(case.spec):
            continue
        judged += 1
        checked = check_case(case, loss_and_grads, [oracle])
        assert checked.verdict == "pass", [d.message() for v in checked.votes for d in v.diffs
                                           if not d.ok]
        # and the convention makes a difference the oracle sees: the default reference fails
        default = replace(case.spec, reduction="mean", l2_convention="batch")
        if convention != "no-bias":
            def mean_subject(params, X, Y, spec, default=default):
                return loss_and_grads(params, X, Y, default)
            assert check_case(case, mean_subject, [oracle]).verdict == "fail"
    assert judged


# ---- a learner's function under each convention: right passes, broken fails on its tensors -----

SUBJECTS = Path(__file__).parent / "subjects" / "conventions.py"
# three tanh-tanh-identity layers under mse, l2 > 0 so the L2 convention shows; two cheap
# oracles make a majority of three with the subject
NETWORK = ["--oracles", "torch,fd", "--networks", "3", "--loss", "mse", "--activations",
           "tanh,tanh,identity", "--l2", "0.4", "--seed", "2"]
STYLES = {
    # function, its flags, the tensors a bug makes wrong (empty: it is right)
    "summed": ("summed_mse", ["--reduction", "sum"], set()),
    "summed-db-mean": ("summed_mse_db_mean", ["--reduction", "sum"], {"b1", "b2", "b3"}),
    "plain": ("plain_l2_mse", ["--l2-convention", "plain"], set()),
    "plain-reg-over-batch": ("plain_l2_mse_over_batch", ["--l2-convention", "plain"],
                             {"W1", "W2", "W3"}),
    "no-bias": ("no_bias_mse", ["--no-bias"], set()),
    "no-bias-tanh-deriv": ("no_bias_mse_tanh_deriv_input", ["--no-bias"], {"W1"}),
}


def _verify(capsys, *args):
    try:
        code = main(["verify", *args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("style", list(STYLES))
def test_a_learner_in_the_convention_passes_or_fails_on_its_tensors(style, capsys, tmp_path):
    fn, flags, wrong = STYLES[style]
    code, out, err = _verify(capsys, f"{SUBJECTS}:{fn}", *NETWORK, *flags, "--shrink", "1",
                             "--report", str(tmp_path))
    report = json.loads((tmp_path / "report.json").read_text())
    if not wrong:
        assert code == 0, out + err
        # and without its flag the same function fails: the flag is what makes it right, and
        # the diagnosis says so (a convention, not a bug) with the flag that checks it
        code, out, err = _verify(capsys, f"{SUBJECTS}:{fn}", *NETWORK, "--shrink", "0")
        assert code == 1, out + err
        if flags[0] == "--no-bias":
            assert "(a network without biases? use --no-bias)" in out
        else:
            assert "a convention, not a bug" in out and " ".join(flags) in out, out
            assert "batch-scale" not in out
        return
    assert code == 1, out + err
    bad = {t["tensor"] for c in report["cases"] for t in c["tensors"] if t["status"] != "agree"}
    assert bad == wrong
    assert "could not measure" not in out
    # its reproduction script replays the network in the convention: it fails on the same
    # tensors, and passes with the reference in place of the subject
    case = next(c for c in report["cases"] if c["reproduction"])
    conventions = {"--reduction": ("reduction", "sum"), "--l2-convention": ("l2_convention", "plain"),
                   "--no-bias": ("bias", False)}
    key, value = conventions[flags[0]]
    assert case["spec"][key] == value and case["reproduction"]["spec"][key] == value  # shrunk too
    script = case["reproduction"]["script"]
    done = _run_script(script, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    shown = {line.split()[1].split("[")[0].rstrip(":") for line in done.stdout.splitlines()
             if line.startswith("DISAGREE")}
    assert shown and shown <= wrong, done.stdout
    fixed = script.replace(f"SUBJECT = '{SUBJECTS}:{fn}'",
                           "SUBJECT = 'crosscheck.reference:loss_and_grads'")
    assert fixed != script
    done = _run_script(fixed, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def _run_script(text: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "repro_conventions.py"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


def test_the_flags_reach_every_network_and_the_reproduce_line(capsys):
    from crosscheck.options import reproduce_line

    line = reproduce_line("f.py:g", {"reduction": "sum", "l2_convention": "plain", "bias": False})
    assert line == "crosscheck verify f.py:g --reduction sum --l2-convention plain --no-bias"
    assert reproduce_line("f.py:g", {"bias": True}) == "crosscheck verify f.py:g"
    from crosscheck.api import options_for
    from crosscheck.engine.campaign import case_for

    options = options_for(reduction="sum", l2_convention="plain", bias=False)
    spec = case_for(options, 0).spec
    assert (spec.reduction, spec.l2_convention, spec.bias) == ("sum", "plain", False)
    assert options.to_dict()["bias"] is False
    assert "reduction" not in options_for().to_dict()


@pytest.mark.parametrize("keywords, match", [
    (dict(reduction="total"), "reduction"), (dict(l2_convention="cs231n"), "l2 convention"),
    (dict(bias="no"), "bias"), (dict(bias=False, layout="theta"), "layout"),
    (dict(reduction="sum", architecture="cnn"), "reduction"),
])
def test_bad_convention_keywords_are_usage_errors(keywords, match):
    import crosscheck

    with pytest.raises(crosscheck.UsageError, match=match):
        crosscheck.verify(loss_and_grads, oracles=("torch",), networks=1, **keywords)


def test_the_diagnosis_names_a_convention_only_where_the_objective_differs():
    from crosscheck.diagnosis.conventions import matching_convention
    from crosscheck.engine.triangulate import Party

    case = _case(0)
    assert case.batch > 1
    for other, word in ((dict(reduction="sum"), "--reduction sum"),
                        (dict(l2_convention="plain"), "--l2-convention plain")):
        loss, grads = loss_and_grads(case.params, case.X, case.Y, replace(case.spec, **other))
        assert word in matching_convention(case, Party("s", "subject", loss, grads), 1e-6)
    # the case's own answer, and a plain penalty at l2 = 0 (the same objective), name nothing
    loss, grads = loss_and_grads(case.params, case.X, case.Y, case.spec)
    assert matching_convention(case, Party("s", "subject", loss, grads), 1e-6) == ""
    free = replace(case, spec=replace(case.spec, l2=0.0))
    loss, grads = loss_and_grads(free.params, free.X, free.Y, free.spec)
    assert matching_convention(free, Party("s", "subject", loss * 1.0000001, grads), 1e-6) == ""
