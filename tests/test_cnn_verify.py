"""`crosscheck verify --cnn NETWORK`: a learner's whole CNN (CS231n's ThreeLayerConvNet and the
like) checked on one fixed architecture, written in the words the summary prints."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from crosscheck.reference.cnn_sampling import random_cnn_spec
from crosscheck.reference.cnn_spec import BatchNorm, CNNSpec, Dropout, parse_cnn

from crosscheck.api import run_verify
from crosscheck.cli.main import main
from crosscheck.engine.campaign import CampaignOptions, case_for

THREE_LAYER = "3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(16)-relu-affine(5)"


def _unseeded(layers):
    """describe() prints a dropout's p, not its mask seed: parsing gives seed 0."""
    return tuple(Dropout(p=x.p, seed=0) if isinstance(x, Dropout) else x for x in layers)


def test_the_summary_words_parse_back_into_the_same_network():
    rng = np.random.default_rng(5)
    for _ in range(200):
        spec = random_cnn_spec(rng, batch=int(rng.integers(1, 5)))
        shape, layers, loss, l2 = parse_cnn(spec.describe())
        again = CNNSpec(input_shape=shape, layers=layers, loss=loss, l2=l2)
        assert (again.input_shape, again.layers, again.loss, again.l2) == (
            spec.input_shape, _unseeded(spec.layers), spec.loss, spec.l2), spec.describe()


def test_a_fixed_network_keeps_its_layers_and_draws_the_rest():
    options = CampaignOptions(architecture="cnn", networks=30, cnn=THREE_LAYER)
    cases = [case_for(options, i) for i in range(30)]
    assert {c.spec.describe().split()[1] for c in cases} == {THREE_LAYER.split()[1]}
    assert {c.spec.loss for c in cases} == {"softmax_cross_entropy", "svm"}  # none given: both
    assert any(c.spec.l2 == 0 for c in cases) and any(c.spec.l2 > 0 for c in cases)
    assert {c.batch for c in cases} == {1, 2, 3, 4}
    fixed = CampaignOptions(architecture="cnn", networks=5, cnn=THREE_LAYER + " svm l2=0.25")
    assert {(case_for(fixed, i).spec.loss, case_for(fixed, i).spec.l2) for i in range(5)} == {
        ("svm", 0.25)}
    bn = CampaignOptions(architecture="cnn", networks=20,
                         cnn="2x6x6 conv(3,3x3,s1,p1)-bn-relu-affine(4)")
    specs = [case_for(bn, i) for i in range(20)]
    assert all(isinstance(c.spec.layers[1], BatchNorm) and c.batch >= 2 for c in specs)


def _verify(capsys, target: str, *args: str) -> tuple[int, str, str]:
    code = main(["verify", target, *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("args, words", [
    (["--cnn", "3x8x8"], "--cnn: '3x8x8': write the input CxHxW, then the layers"),
    (["--cnn", "3x8x8 conv(4,3x3,s1,p1)-relu-pool(2)-affine(5)"], "'pool(2)' is not a layer"),
    (["--cnn", "3x8x8 conv(4,9x9,s1,p0)-affine(5)"], "kernel 9 does not fit the input side 8"),
    (["--cnn", "3x8x8 conv(4,3x3,s1,p1)-relu"], "must be an affine layer with at least 2 units"),
    (["--cnn", THREE_LAYER, "--sizes", "3-4"], "--sizes describes MLP networks"),
    (["--cnn", THREE_LAYER, "--layout", "theta"], "--layout theta is an MLP layout"),
    (["--cnn", THREE_LAYER, "--mode", "update"], "--mode update covers MLP networks only"),
    (["--cnn", THREE_LAYER, "--dtype", "float32"], "--dtype float32 covers MLP networks only"),
    (["--cnn", THREE_LAYER + " l2=1", "--l2", "2"], "--cnn sets l2=1 and --l2 sets 2: give it once"),
    (["--cnn", THREE_LAYER, "--oracles", "complex-step"], "complex-step covers MLP networks only"),
    (["--cnn", THREE_LAYER, "--architecture", "mlp"], "--cnn describes a CNN-style network: "
                                                      "drop --architecture mlp"),
    (["--cnn", THREE_LAYER + " l2=nan"], "--cnn: l2 must be finite and >= 0, got nan"),
    (["--cnn", THREE_LAYER + " l2=-1"], "--cnn: l2 must be finite and >= 0, got -1.0"),
    (["--cnn", THREE_LAYER + " l2=1e300"], "--cnn's l2 1e+300 is above 1e+06"),
])
def test_bad_cnn_input_is_one_line_and_exit_2(capsys, args, words):
    code, out, err = _verify(capsys, "nowhere.py:f", *args)
    assert code == 2 and words in err and err.count("\n") == 1 and out == "", err


# ---- an independently written corpus: six correct ThreeLayerConvNets, ten with one bug each ----

CORPUS = Path(__file__).parent / "cnn_corpus"
MANIFEST = json.loads((CORPUS / "MANIFEST.json").read_text())
NETWORKS = {  # the corpus's architecture (pad (K-1)//2, even sides), two ways
    "k3": "3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(16)-relu-affine(5)",
    "k5": "2x6x10 conv(3,5x5,s1,p2)-relu-max(2,s2)-affine(6)-relu-affine(4)",
}


@pytest.mark.slow  # the CNN corpus's full run: .ci/run runs it after the default gate
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("net", sorted(NETWORKS))
@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_the_corpus_verdicts_and_the_wrong_tensors_exactly(entry, net):
    """Every verdict right, and a failing one names exactly the tensors its truth says are
    wrong (the loss included) over the campaign: no more, no fewer."""
    result = run_verify(f"{CORPUS / entry['file']}:loss_and_grads", entry["file"], layout="xw",
                        mode="grads", lr=0.1, timeout=10, shrink=0,
                        options=CampaignOptions(architecture="cnn", networks=12,
                                                cnn=NETWORKS[net]),
                        oracles=("torch", "tensorflow", "fd"))
    assert result.passed == (entry["verdict"] == "pass"), str(result)
    named = {v.tensor for c in result.cases if c.verdict == "fail" for v in c.failing_votes()}
    assert named == set(entry["bug"]["tensors"] if entry["bug"] else ()), str(result)


def test_the_cli_names_the_wrong_tensor_of_a_learners_convnet(capsys):
    path = CORPUS / "buggy" / "functional_cache_conv_db_batch_mean.py"
    code, out, _ = _verify(capsys, f"{path}:loss_and_grads", "--cnn", NETWORKS["k3"],
                           "--networks", "4")
    assert code == 1
    assert "FAIL case 0 [3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(16)-relu-affine(5)" in out
    assert "    b1[" in out and "    W1[" not in out
    assert "note: not shrunk" not in out and "smallest failing network: 1x" in out


# ---- where the error starts: read from which gradients are wrong ------------------------------

@pytest.mark.parametrize("wrong, l2, words", [
    ({"W1", "b1"}, 0.0, "the error is in the backward of layer 2 relu, layer 3 max(2,s2) or the "
                        "dx of layer 4 affine(16), or in layer 1 conv(4,3x3,s1,p1)'s own"),
    ({"b1"}, 0.0, "while its W1 agrees and every gradient above it (layer 4 affine(16), layer 6 "
                  "affine(5)) agrees: the gradient reaching its output is right, so the formula "
                  "of db1 is wrong"),
    ({"W2"}, 0.3, "so the formula of dW2 is wrong, or the L2 term's gradient (l2 = 0.3 here)"),
    ({"W1", "W2", "W3", "loss"}, 0.3, "every weight's gradient is wrong (W1, W2, W3) and every "
                                      "other agrees, with l2 = 0.3: the L2 term and the loss"),
    ({"W1", "b1", "W2", "b2", "W3", "b3"}, 0.0, "the error is in the loss's gradient of the "
                                                "scores, or in layer 6 affine(5)'s own"),
    ({"loss"}, 0.0, "only the loss value is wrong"),
])
def test_a_failing_cnn_says_where_its_backward_first_goes_wrong(wrong, l2, words):
    from crosscheck.diagnosis.cnn_locate import locate

    shape, layers, _, _ = parse_cnn(NETWORKS["k3"])
    spec = CNNSpec(input_shape=shape, layers=layers, l2=l2)
    assert words in locate(spec, wrong)


def test_the_summary_points_a_pool_bug_at_the_pool():
    import subprocess
    import sys

    path = CORPUS / "buggy" / "naive_loops_pool_backward_no_stride.py"
    exe = Path(sys.executable).with_name("crosscheck")
    done = subprocess.run([str(exe), "verify", f"{path}:loss_and_grads", "--cnn", NETWORKS["k3"],
                           "--networks", "2"], capture_output=True, text=True, timeout=300)
    words = " ".join(done.stdout.split())
    assert done.returncode == 1
    assert ("the error is in the backward of layer 2 relu, layer 3 max(2,s2) or the dx of layer 4 "
            "affine(16)") in words and "crosscheck verify-layer tests each alone" in words


def test_a_cnn_script_replays_the_failing_network_and_turns_green_once_fixed(tmp_path, capsys):
    import shutil
    import subprocess
    import sys

    mine = tmp_path / "my_convnet.py"
    shutil.copy(CORPUS / "buggy" / "naive_loops_conv_dw_flipped_kernel.py", mine)
    code, out, _ = _verify(capsys, f"{mine}:loss_and_grads", "--cnn", NETWORKS["k3"],
                           "--networks", "3", "--shrink", "1", "--report", str(tmp_path / "r"))
    assert code == 1 and "    smallest failing network: " in out  # shrunk, a CNN still
    (script,) = (tmp_path / "r").glob("repro_*.py")

    def run():
        return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              timeout=300, cwd=tmp_path)

    red = run()
    assert red.returncode == 1 and "DISAGREE W1[" in red.stdout, red.stdout + red.stderr
    assert "DISAGREE b1" not in red.stdout
    shutil.copy(CORPUS / "correct" / "naive_loops.py", mine)  # the fix
    green = run()
    assert green.returncode == 0 and "all tensors agree" in green.stdout, green.stdout + green.stderr


@pytest.mark.parametrize("body, words", [
    ("g = dict(g); g['W2'] = g['W2'].T; return loss, g",
     "grads['W2'] has shape (16, 64), expected (64, 16) (transposed?)"),
    ("return loss, {'W1': g['W1']}", "grads keys do not match params: missing ['b1', 'W2'"),
    ("import os; os._exit(0)", "ended the process with status 0"),
    ("X *= 0; return loss, g", "mutated its input X"),
])
def test_a_cnn_function_that_misbehaves_is_a_verdict_not_a_traceback(tmp_path, capsys, body,
                                                                      words):
    mine = tmp_path / "bad_convnet.py"
    mine.write_text("from crosscheck.reference import cnn_loss_and_grads\n\n"
                    "def loss_and_grads(params, X, Y, spec):\n"
                    "    loss, g = cnn_loss_and_grads(params, X, Y, spec)\n"
                    f"    {body}\n")
    code, out, err = _verify(capsys, f"{mine}:loss_and_grads", "--cnn", NETWORKS["k3"],
                             "--networks", "2")
    assert code == 1 and words in out and "Traceback" not in out + err, out + err


def test_a_fixed_cnn_is_bounded_by_its_own_size(capsys):
    code, out, err = _verify(capsys, "nowhere.py:f", "--cnn",
                             "3x64x64 conv(64,5x5,s1,p2)-relu-max(2,s2)-affine(1000)-relu-affine(10)")
    assert code == 2 and err.count("\n") == 1
    assert ("the network --cnn gives at batch 4 has 65551874 parameters x batch 4 = 2.62e+08, "
            "above the limit of 1e+08 (raise it with --max-size)") in err


@pytest.mark.parametrize("body, words", [
    ("return float('nan'), g", "DISAGREE loss: subject=nan"),
    ("raise SystemExit(0)", "which failed"),
])
def test_a_cnn_script_of_a_nan_or_exiting_function_still_fails(tmp_path, capsys, body, words):
    """A recorded NaN is a value in the script (not a NameError), and a function that exits
    0 is a failure of the script, not its success."""
    import subprocess
    import sys

    mine = tmp_path / "odd_convnet.py"
    mine.write_text("from crosscheck.reference import cnn_loss_and_grads\n\n"
                    "def loss_and_grads(params, X, Y, spec):\n"
                    "    loss, g = cnn_loss_and_grads(params, X, Y, spec)\n"
                    f"    {body}\n")
    code, _, _ = _verify(capsys, f"{mine}:loss_and_grads", "--cnn", NETWORKS["k3"],
                         "--networks", "1", "--report", str(tmp_path / "r"))
    assert code == 1
    (script,) = (tmp_path / "r").glob("repro_*.py")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 1 and words in done.stdout, done.stdout + done.stderr
