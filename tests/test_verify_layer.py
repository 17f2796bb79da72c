"""``crosscheck verify-layer`` on an independently written corpus of CS231n-style layers
(tests/layer_corpus: 47 correct pairs, 26 with one learner's bug each, and their truths)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from crosscheck.reference import cnn_layers as R

import crosscheck
from crosscheck.cli.main import main
from crosscheck.layers.kinds import KINDS
from crosscheck.layers.pitfalls import LAYER_PITFALLS
from crosscheck.layers.verify import run_layer

CORPUS = Path(__file__).parent / "layer_corpus"
MANIFEST = json.loads((CORPUS / "MANIFEST.json").read_text())


def _targets(entry):
    path = CORPUS / entry["file"]
    kind = entry["kind"]
    if KINDS[kind].loss:
        return f"{path}:{kind}", None
    return f"{path}:{kind}_forward", f"{path}:{kind}_backward"


# the corpus's bugs that are only a subgradient convention at a kink: a warning by default,
# a failure under strict (tests/test_layer_conventions.py checks the warning)
CONVENTIONS = {"relu-backward-passes-gradient-at-zero"}


@pytest.mark.slow  # the layer corpus's full run: .ci/run runs it after the default gate
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("entry", MANIFEST, ids=[f"{e['file']}-{e['kind']}" for e in MANIFEST])
def test_the_corpus_verdicts(entry):
    fwd, bwd = _targets(entry)
    strict = (entry["bug"] or {}).get("id") in CONVENTIONS
    result = run_layer(entry["kind"], fwd, bwd, entry["file"], cases=20, seed=0, strict=strict)
    assert result.passed == (entry["verdict"] == "pass"), str(result)
    if entry["verdict"] == "fail":
        # the wrong tensors the truth names are among those the check names
        named = {t for c in result.cases for _, t, _ in (*c.findings, *c.conventions)}
        truth = {t if t in ("out", "loss") else f"d{t.removeprefix('d')}"
                 for t in entry["bug"]["tensors"]}
        truth = {"out" if t == "loss" else t for t in truth}
        assert named & truth or any(c.error for c in result.cases), (entry["bug"], str(result))


def test_the_cli_exits_1_and_says_which_part_is_wrong(capsys):
    path = CORPUS / "buggy" / "batchnorm_simplified_v2.py"
    code = main(["verify-layer", "batchnorm", f"{path}:batchnorm_forward",
                 f"{path}:batchnorm_backward", "--cases", "4"])
    out = capsys.readouterr().out
    assert code == 1
    words = " ".join(out.split())  # the conclusion wraps at 100 columns
    assert ("4 of 4 cases fail: explained by batchnorm-no-mean-terms (in 4 of 4 failing cases); "
            "the backward is wrong: dx differ from the frameworks' autograd and from finite "
            "differences of your own forward") in words
    assert "  FAIL case 0 [x (" in out and "verdict: FAIL" in out


def test_a_forward_bug_is_told_apart_from_a_backward_bug():
    """A wrong forward whose backward differentiates it correctly: forward wrong, backward
    consistent with it, so the user fixes the forward and not the backward."""
    def relu_forward(x):
        out = abs(x)  # BUG: |x| is not max(x, 0)
        return out, x

    def relu_backward(dout, x):
        import numpy as np
        return dout * np.sign(x)  # the true derivative of |x|

    result = crosscheck.verify_layer("relu", relu_forward, relu_backward, cases=6)
    assert not result.passed
    assert "the forward is wrong (out differ from the frameworks')" in result.conclusion
    assert "consistent with your forward" in result.conclusion
    assert "isolation off" in str(result)  # nested functions run in this process, and it says so


@pytest.mark.parametrize("argv, words", [
    (["verify-layer", "conv", "x.py:f"], "conv needs a backward"),
    (["verify-layer", "softmax_loss", "x.py:f", "x.py:g"], "softmax_loss is a loss layer"),
    (["verify-layer", "relu", "nowhere.py:f", "nowhere.py:g"], "nowhere.py"),
    (["verify-layer", "relu", "x.py:f", "x.py:g", "--seed", "-1"], "--seed wants an integer >= 0"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


@pytest.mark.parametrize("pid", sorted(LAYER_PITFALLS))
def test_each_catalogued_layer_bug_fails_and_is_named_first(pid):
    p = LAYER_PITFALLS[pid]
    result = crosscheck.verify_layer(p.kind, p.forward, p.backward, cases=20, seed=0)
    assert not result.passed, pid
    assert result.result.isolation_off == "", result.result.isolation_off  # ran in the worker
    assert result.conclusion.split(": ", 1)[1].startswith(f"explained by {pid} "), result.conclusion
    named = [c.suspect for c in result.cases if c.verdict == "fail"]
    assert named and all(s in (pid, "") for s in named), named


def test_a_correct_reference_layer_names_nothing():
    result = crosscheck.verify_layer("conv", R.conv_forward, R.conv_backward, cases=10)
    assert result.passed and "explained by" not in result.conclusion


def test_a_large_input_gets_the_adjoint_test_and_it_catches_an_inconsistent_backward():
    """x of 4x3x10x10 = 1,200 elements is differenced along 3 directions, not element by
    element; a backward with the kernel flipped still fails that check."""
    from crosscheck.oracles.torch_layers import torch_layer

    from crosscheck.layers.cases import Shape
    from crosscheck.layers.check import check_layer, in_process

    shape = Shape("conv", {"n": 4, "c": 3, "h": 10, "w": 10, "f": 2, "hh": 3, "ww": 3,
                           "stride": 1, "pad": 1}, values=1)

    def check(backward):
        return check_layer("conv", in_process("conv", R.conv_forward, backward), label="me",
                           cases=1, seed=0, oracles={"torch": torch_layer}, shapes=[shape])

    assert check(R.conv_backward).passed
    flipped = LAYER_PITFALLS["conv-kernel-flipped"].backward
    found = {(part, t): m for part, t, m in check(flipped).cases[0].findings}
    assert ("consistency", "dx") in found and "dx.u" in found[("consistency", "dx")]


@pytest.mark.parametrize("kind", ["conv", "batchnorm", "softmax_loss", "max_pool"])
def test_float32_layers_pass_with_float32_tolerances(kind):
    forward = getattr(R, kind) if KINDS[kind].loss else getattr(R, f"{kind}_forward")
    backward = None if KINDS[kind].loss else getattr(R, f"{kind}_backward")
    result = crosscheck.verify_layer(kind, forward, backward, cases=10, dtype="float32")
    assert result.passed, str(result)
    assert "float32 tolerances" in result.conclusion


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("entry", [e for e in MANIFEST if e["verdict"] == "pass"
                                   and e["kind"] in ("batchnorm", "layernorm", "dropout")],
                         ids=lambda e: f"{e['file']}-{e['kind']}")
def test_independent_correct_layers_pass_in_float32(entry):
    """No false alarm where float32 is ill-conditioned (a batch of two whose values nearly
    tie: dx cancels to rounding of terms ~1/std) or rounds dropout's 1/p."""
    fwd, bwd = _targets(entry)
    result = run_layer(entry["kind"], fwd, bwd, entry["file"], cases=40, seed=0,
                       dtype="float32", shrink=0)
    assert result.passed, str(result)


def test_a_float32_layer_bug_still_fails_and_is_named():
    p = LAYER_PITFALLS["batchnorm-no-mean-terms"]
    result = crosscheck.verify_layer("batchnorm", p.forward, p.backward, cases=6, dtype="float32")
    assert not result.passed and "batchnorm-no-mean-terms" in result.conclusion


def test_report_writes_four_files_that_validate(tmp_path, capsys):
    import xml.etree.ElementTree as ET

    import jsonschema
    from crosscheck.reports.layer_report import load_layer_schema

    path = CORPUS / "buggy" / "batchnorm_simplified_v2.py"
    code = main(["verify-layer", "batchnorm", f"{path}:batchnorm_forward",
                 f"{path}:batchnorm_backward", "--cases", "5", "--report", str(tmp_path / "r")])
    assert code == 1
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert names == ["junit.xml", "report.html", "report.json", "report.md",
                     "repro_layer_case_0.py"]
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    jsonschema.validate(report, load_layer_schema())
    assert report["verdict"] == "fail" and report["summary"]["failed"] == 4
    assert all(c["suspect"] == "batchnorm-no-mean-terms" for c in report["cases"]
               if c["verdict"] == "fail" and not c["findings"][0]["part"] == "forward")
    suite = ET.parse(tmp_path / "r" / "junit.xml").getroot()
    assert suite.get("tests") == "5" and suite.get("failures") == str(report["summary"]["failed"])
    assert "**Conclusion:** 4 of 5 cases fail" in (tmp_path / "r" / "report.md").read_text()
    assert "&lt;" not in (tmp_path / "r" / "report.md").read_text()


def test_an_unusable_report_directory_is_exit_2_before_any_work(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    path = CORPUS / "correct" / "cs231n_layers.py"
    code = main(["verify-layer", "relu", f"{path}:relu_forward", f"{path}:relu_backward",
                 "--report", str(blocker / "sub")])
    out, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and out == ""


# ---- the cases: hypothesis strategies; shrinking; reproduction scripts -------------------------

def test_the_cases_cover_the_boundaries_learners_get_wrong():
    """Batch 1, odd sizes, stride 2, padding 0 and 2 (conv); ties in max pooling and saturated
    activations on the edge cases; every case rebuilt alone from its shape."""
    from crosscheck.layers.cases import build
    from crosscheck.layers.check import case_shapes, prepare

    conv = case_shapes("conv", 20, 0)
    dims = [s.dims for s in conv]
    assert {d["n"] for d in dims} >= {1} and {d["stride"] for d in dims} == {1, 2}
    assert {d["pad"] for d in dims} >= {0, 2}
    assert any(d["h"] % 2 and d["w"] % 2 and d["h"] > 1 for d in dims)
    assert [s.mode for s in conv[:5]] == ["normal", "normal", "normal", "edge", "normal"]
    for s in conv:
        a, _ = build(s)
        b, _ = build(s)
        assert all((a[k] == b[k]).all() for k in a)  # a shape is its arrays
    pool = [prepare(s) for s in case_shapes("max_pool", 10, 0) if s.mode == "edge"]
    assert pool and all(len(np.unique(d.arrays["x"])) < d.arrays["x"].size for d in pool)  # ties
    sig = [prepare(s) for s in case_shapes("sigmoid", 10, 0) if s.mode == "edge"]
    assert sig and all(np.abs(d.arrays["x"]).max() > 15 for d in sig)  # saturated
    assert [s.mode for s in case_shapes("batchnorm", 5, 0)][-1] == "test"
    assert case_shapes("conv", 20, 0) == conv and case_shapes("conv", 20, 1) != conv


def test_the_draws_do_not_depend_on_the_directory_and_write_nothing(tmp_path):
    """Same seed, same cases, whatever local modules are loaded (hypothesis would mix their
    constants into its draws), and nothing written into the working directory."""
    import subprocess
    import sys

    from crosscheck.layers.check import case_shapes

    (tmp_path / "mymod.py").write_text("A = 123456789\nB = 987654\nC = 4242424\n")
    code = ("import mymod, json; from crosscheck.layers.check import case_shapes; "
            "print(json.dumps([s.to_dict() for s in case_shapes('conv', 40, 0)]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [s.to_dict() for s in case_shapes("conv", 40, 0)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mymod.py"]


def test_shrinking_finds_a_smaller_case_that_fails_the_same_way(tmp_path):
    path = CORPUS / "buggy" / "conv_im2col_v2.py"
    result = run_layer("conv", f"{path}:conv_forward", f"{path}:conv_backward", "im2col",
                       cases=20, seed=0)
    first = next(c for c in result.cases if c.verdict == "fail")
    (small,) = result.result.shrunk
    from crosscheck.layers.cases import size
    from crosscheck.layers.shrink import signature

    assert small.index == first.index and small.steps >= 1
    assert size(small.case.shape) < size(first.shape)
    assert signature(small.case) == signature(first)  # the same tensors, parts and suspect
    assert "smallest failing case (case" in str(result)


def test_shrinking_keeps_the_failure_it_found_not_another_one():
    """A batchnorm whose dgamma is wrong for d >= 3 and whose dx is wrong below: shrinking a
    d = 5 case must stop at d = 3, not slide to the other bug."""
    from crosscheck.oracles.torch_layers import torch_layer

    from crosscheck.layers.cases import Shape
    from crosscheck.layers.check import check_layer_case, in_process
    from crosscheck.layers.shrink import shrink_layer_case

    def backward(dout, cache):
        dx, dgamma, dbeta = R.batchnorm_backward(dout, cache)
        if dgamma.shape[0] >= 3:
            return dx, dgamma * 2.0, dbeta
        return dx * 2.0, dgamma, dbeta

    pair = in_process("batchnorm", R.batchnorm_forward, backward)
    oracles = {"torch": torch_layer}
    start, _ = check_layer_case(Shape("batchnorm", {"n": 6, "d": 5}, values=7), pair, label="me",
                          oracles=oracles)
    assert {t for _, t, _ in start.findings} == {"dgamma"}
    small = shrink_layer_case(start, pair, label="me", oracles=oracles)
    assert {t for _, t, _ in small.case.findings} == {"dgamma"}
    assert small.case.shape.dims == {"n": 2, "d": 3}, small.case.describe


def test_shrink_0_shrinks_nothing():
    p = LAYER_PITFALLS["batchnorm-no-mean-terms"]
    result = crosscheck.verify_layer("batchnorm", p.forward, p.backward, cases=4, shrink=0)
    assert not result.passed and result.result.shrunk == ()


def test_the_reproduction_script_fails_on_the_bug_and_passes_once_it_is_fixed(tmp_path):
    import shutil
    import subprocess
    import sys

    mine = tmp_path / "my_conv.py"
    shutil.copy(CORPUS / "buggy" / "conv_naive_v3.py", mine)
    code = main(["verify-layer", "conv", f"{mine}:conv_forward", f"{mine}:conv_backward",
                 "--cases", "10", "--report", str(tmp_path / "r")])
    assert code == 1
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    (shrunk,) = report["shrunk"]
    script = tmp_path / "r" / shrunk["script"]

    def run():
        return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              timeout=120, cwd=tmp_path)

    red = run()
    assert red.returncode == 1, red.stdout + red.stderr
    wrong = {f["tensor"] for f in shrunk["findings"] if f["part"] == "backward"}
    assert wrong and all(f"DISAGREE {t}" in red.stdout for t in wrong), red.stdout
    shutil.copy(CORPUS / "correct" / "conv_naive.py", mine)  # the fix
    green = run()
    assert green.returncode == 0 and "all tensors agree" in green.stdout, green.stdout + green.stderr


@pytest.mark.parametrize("kind", ["softmax_loss", "dropout", "word_embedding", "rnn_step"])
def test_every_calling_convention_gets_a_working_script(tmp_path, kind):
    """Loss kinds (one function), dropout (the mask read back from the output), index inputs
    and five-input kinds: the reference passes its own script."""
    import subprocess
    import sys

    from crosscheck.reports.layer_repro import layer_reproduction_script

    from crosscheck.engine.tolerances import TOLERANCES
    from crosscheck.layers.check import case_shapes, prepare

    shape = case_shapes(kind, 1, 3)[0]
    data = prepare(shape)
    ref = "crosscheck.reference.cnn_layers"
    fwd, bwd = ((f"{ref}:{kind}", None) if KINDS[kind].loss else
                (f"{ref}:{kind}_forward", f"{ref}:{kind}_backward"))
    text = layer_reproduction_script(KINDS[kind], title="t", describe="d", forward=fwd,
                                     backward=bwd, arrays=data.arrays, extra=data.extra,
                                     dout=data.dout, dtype="float64", test_mode=False,
                                     tolerance=TOLERANCES["autodiff"])
    (tmp_path / "s.py").write_text(text)
    done = subprocess.run([sys.executable, str(tmp_path / "s.py")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "all tensors agree" in done.stdout, done.stdout + done.stderr


def test_a_hanging_layer_is_stopped_and_not_called_for_every_case(tmp_path, capsys):
    """Each case of a hanging pair would cost 10 x --timeout: after two in a row the check
    stops, fails, and says how many cases it did not run and which limit stopped them."""
    mine = tmp_path / "hang.py"
    mine.write_text("import time\n\ndef relu_forward(x):\n    return x * (x > 0), x\n\n"
                    "def relu_backward(dout, x):\n    while True:\n        time.sleep(0.05)\n")
    code = main(["verify-layer", "relu", f"{mine}:relu_forward", f"{mine}:relu_backward",
                 "--timeout", "0.2", "--report", str(tmp_path / "r")])
    out = capsys.readouterr().out
    assert code == 1
    assert "relu_backward did not return within 2 s (10 x --timeout 0.2) and was stopped" in out
    assert "stopped after cases 0 and 1 timed out in a row: the other 18 case(s) were not run" in out
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["summary"]["cases"] == 2 and report["stopped"]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_check_raises_no_false_alarm_anywhere_in_the_space(kind, dtype):
    """Hypothesis over the whole case space (every mode): the reference pair, run through the
    very check verify-layer runs, against both frameworks and its own finite differences."""
    from crosscheck.oracles.tf_layers import tf_layer
    from crosscheck.oracles.torch_layers import torch_layer
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from crosscheck.layers.cases import Shape, strategy
    from crosscheck.layers.check import _TEST_MODE, check_layer_case, in_process, reference_pair

    pair = in_process(kind, *reference_pair(kind))
    modes = ["normal", "edge"] + (["test"] if kind in _TEST_MODE else [])

    @settings(max_examples=15, deadline=None, database=None)
    @given(drawn=st.data())
    def check(drawn):
        dims, values = drawn.draw(strategy(kind), label="case")
        shape = Shape(kind, dims, values, drawn.draw(st.sampled_from(modes), label="mode"))
        case, _ = check_layer_case(shape, pair, label="reference", dtype=dtype,
                             oracles={"torch": torch_layer, "tensorflow": tf_layer})
        assert case.verdict == "pass", (case.describe, case.error, case.findings)

    check()



@pytest.mark.parametrize("name", ["keep_all", "drop_all", "inverted_cmp"])
def test_a_dropout_mask_that_keeps_with_the_wrong_probability_fails(name):
    """out / x being 0 or 1/p is not enough: the fraction kept must fit p (a forward that
    never drops, drops everything, or keeps u >= p passed before)."""
    path = Path(__file__).parent / "subjects" / "dropout_wrong_rate.py"
    result = run_layer("dropout", f"{path}:{name}_fwd", f"{path}:{name}_bwd", name, cases=20,
                       seed=0, shrink=0)
    assert not result.passed
    assert any("the odds of that are below" in m for c in result.cases for _, _, m in c.findings)


def test_a_report_directory_keeps_the_users_own_files_and_a_blocked_script_writes_nothing(
        tmp_path, capsys):
    """Only crosscheck's own earlier scripts are removed; a directory where a script goes is
    exit 2, one line, with nothing written (it was a traceback after four files)."""
    path = CORPUS / "buggy" / "batchnorm_simplified_v2.py"
    argv = ["verify-layer", "batchnorm", f"{path}:batchnorm_forward",
            f"{path}:batchnorm_backward", "--cases", "2"]
    mine = tmp_path / "mix"
    mine.mkdir()
    (mine / "repro_mine.py").write_text("# my own script\n")
    assert main([*argv, "--report", str(mine)]) == 1
    assert (mine / "repro_layer_case_0.py").is_file() and (mine / "repro_mine.py").is_file()
    blocked = tmp_path / "blk"
    (blocked / "repro_layer_case_0.py").mkdir(parents=True)
    capsys.readouterr()
    assert main([*argv, "--report", str(blocked)]) == 2
    err = capsys.readouterr().err
    assert "cannot write repro_layer_case_0.py (a directory is in the way)" in err
    assert err.count("\n") == 1
    assert sorted(p.name for p in blocked.iterdir()) == ["repro_layer_case_0.py"]
