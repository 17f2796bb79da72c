"""verify-layer on conventions (issue 19): a subgradient convention at a kink warns (strict
fails it), dropout's p as the keep or drop probability, inputs of several ranks, a backward's
errors under its own name, a gradient in another shape still compared by value, and a
dropout reproduction script that checks the mask's rate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crosscheck.layers.verify import run_layer

SUBJECTS = Path(__file__).parent / "subjects" / "layer_conventions.py"


def _run(kind, forward, backward, **options):
    options = {"cases": 10, "seed": 0, "shrink": 0, **options}
    return run_layer(kind, f"{SUBJECTS}:{forward}", f"{SUBJECTS}:{backward}", forward, **options)


def test_relu_prime_at_zero_of_one_is_a_convention_a_warning_unless_strict():
    loose = _run("relu", "relu_forward", "relu_ge_backward")
    text = " ".join(str(loose).split())
    assert loose.passed, text
    assert ("warning: convention: ReLU'(0) = 1 where the frameworks use 0; any value in [0,1] "
            "is a valid subgradient") in text
    strict = _run("relu", "relu_forward", "relu_ge_backward", strict=True)
    assert not strict.passed and "convention (strict): ReLU'(0) = 1" in str(strict)


def test_a_slope_outside_the_subdifferential_is_still_wrong():
    result = _run("relu", "relu_forward", "relu_two_backward")
    # (the first wrong line names this file, tests/subjects/layer_conventions.py)
    assert not result.passed and "convention" not in str(result).replace("layer_conventions", "")


def test_tied_pool_maxima_sharing_the_gradient_is_a_convention_copying_it_is_not():
    split = _run("max_pool", "max_pool_forward", "max_pool_split_backward")
    assert split.passed, str(split)
    assert "tied maxima share a window's gradient evenly" in " ".join(str(split).split())
    each = _run("max_pool", "max_pool_forward", "max_pool_each_backward")
    assert not each.passed and "convention" not in str(each).replace("layer_conventions", "")


def test_dropout_p_as_the_drop_probability_is_named_and_accepted_with_the_option():
    keep = _run("dropout", "dropout_drop_forward", "dropout_backward")
    assert not keep.passed
    assert "p looks like the drop probability (--dropout-p drop)" in str(keep)
    assert _run("dropout", "dropout_drop_forward", "dropout_backward", dropout_p="drop").passed


def test_a_dropout_that_only_works_on_2d_input_fails():
    result = _run("dropout", "dropout_2d_forward", "dropout_backward")
    assert not result.passed
    ranks = {c.describe.split(")")[0].count(",") + 1 for c in result.cases}
    assert {2, 3, 4} <= ranks


def test_a_backwards_error_is_named_under_the_backward():
    result = _run("conv", "conv_forward_naive", "conv_backward_naive", cases=2)
    errors = [c.error for c in result.cases if c.error]
    assert errors and all(e.startswith("conv_backward_naive dx has shape") for e in errors)


def test_a_gradient_in_another_shape_of_the_same_size_is_said_and_its_values_compared():
    result = _run("affine", "affine_forward", "affine_db_row_backward", cases=2)
    findings = {(part, tensor) for c in result.cases for part, tensor, _ in c.findings}
    assert {("shape", "db"), ("backward", "db")} <= findings, str(result)
    assert "db with shape (1, " in str(result)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_the_dropout_script_fails_on_a_mask_of_the_wrong_rate(tmp_path):
    path = Path(__file__).parent / "subjects" / "dropout_wrong_rate.py"
    result = run_layer("dropout", f"{path}:inverted_cmp_fwd", f"{path}:inverted_cmp_bwd",
                       "inverted_cmp", cases=10, seed=0, shrink=1)
    assert not result.passed
    result.write_report(tmp_path)
    (script,) = result.scripts().values()
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "DISAGREE the mask your forward drew" in run.stdout


def test_a_relu_mask_z_ge_0_passes_verify_with_a_warning_and_fails_strict():
    """The MLP side: on the relu-ties edge network ReLU'(0) = 1 is a convention."""
    import crosscheck
    from crosscheck.engine.conventions import subgradient_convention

    path = Path(__file__).parent / "subjects" / "relu_ge_mask.py"
    argv = dict(targets="labels", loss="softmax_cross_entropy", sizes="4-6-3",
                hidden_activations="relu", networks=5, shrink=0)
    sys.path.insert(0, str(path.parent))
    try:
        import relu_ge_mask
    finally:
        sys.path.remove(str(path.parent))
    loose = crosscheck.verify(relu_ge_mask.loss, **argv)
    text = " ".join(str(loose).split())
    assert loose.passed, text
    assert ("warning: convention: ReLU'(0) = 1 where the frameworks use 0; any value in [0,1] "
            "is a valid subgradient (network 3)") in text
    strict = crosscheck.verify(relu_ge_mask.loss, strict=True, **argv)
    assert not strict.passed and [c.index for c in strict.failures] == [3]
    # a gradient off the segment between the two one-sided slopes is no convention
    case = strict.cases[3]
    twice = {k: 2 * v - case.parties[1].grads[k] for k, v in case.parties[0].grads.items()}
    assert subgradient_convention(case.case, dict(case.parties[0].grads))
    assert not subgradient_convention(case.case, twice)
