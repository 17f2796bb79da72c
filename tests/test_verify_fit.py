"""`verify` fits the code people actually write: their architecture (--activations,
--output-activation), their labels (--targets), their dtype (--dtype float32), their loss
convention (half_sse), a signature that cannot fit (one message), reproduction scripts that
turn green once the subject is fixed, and shrinking that keeps the failure."""

from __future__ import annotations

import contextlib
import io
import json
import re
import runpy
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from crosscheck.reference import NetworkSpec, loss_and_grads, random_batch, random_case

import crosscheck
import crosscheck.diagnosis.diagnose as diagnose_module
from crosscheck.cli.main import main
from crosscheck.engine.campaign import case_for, network_options
from crosscheck.engine.check import check_case
from crosscheck.engine.shrink import _symbols, failure_signature, same_failure
from crosscheck.engine.tolerances import TOLERANCES, SubjectTolerance
from crosscheck.errors import UsageError
from crosscheck.subject.adapters import adapt
from crosscheck.subject.probe import probe_signature

SUBJECTS = Path(__file__).parent / "subjects"
QUICK = ["--oracles", "torch,fd", "--shrink", "0"]


def verify(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["verify", *args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_diagnosis(monkeypatch):
    monkeypatch.setattr(diagnose_module, "diagnose", lambda result, rerun=None, **kw: [])


# ---- the done-when criteria, one test each --------------------------------------------------

def test_textbook_sigmoid_half_sse_sgd_step_passes(capsys):
    code, out, err = verify(capsys, str(SUBJECTS / "textbook_sgd.py:update_mini_batch"),
                            "--mode", "update", "--activations", "sigmoid", "--loss", "half_sse",
                            "--l2", "0", *QUICK, "--networks", "6")
    assert code == 0, out + err
    assert "6 passed, 0 failed" in out


def test_cs231n_two_layer_net_with_integer_labels_passes(capsys):
    code, out, err = verify(capsys, str(SUBJECTS / "cs231n_two_layer.py:loss"),
                            "--targets", "labels", "--loss", "softmax_cross_entropy",
                            "--sizes", "5-8-3", "--hidden-activations", "relu", *QUICK,
                            "--networks", "6")
    assert code == 0, out + err


def test_float32_port_passes_and_its_bias_mean_bug_fails(capsys, tmp_path, no_diagnosis):
    target = str(SUBJECTS / "float32_port.py")
    code, out, err = verify(capsys, f"{target}:loss_and_grads", "--dtype", "float32", *QUICK,
                            "--networks", "12")
    assert code == 0, out + err
    code, out, _ = verify(capsys, f"{target}:loss_and_grads_bias_mean", "--dtype", "float32",
                          *QUICK, "--networks", "4", "--batch", "4", "--report", str(tmp_path))
    assert code == 1 and "verdict: FAIL" in out
    report = json.loads((tmp_path / "report.json").read_text())
    wrong = {t["tensor"] for c in report["cases"] for t in c["tensors"] if t["status"] != "agree"}
    assert wrong and all(t.startswith("b") for t in wrong)


def test_a_three_argument_function_is_one_message_exit_1_before_any_framework_loads():
    """Timed after the imports, in a fresh interpreter: the probe runs before any framework
    is imported and before any network is drawn."""
    code = textwrap.dedent(f"""
        import sys, time
        from crosscheck.cli.main import main
        t0 = time.perf_counter()
        code = main(["verify", {str(SUBJECTS / 'three_args.py:loss')!r}])
        print("SECONDS", time.perf_counter() - t0, "CODE", code,
              "FRAMEWORKS", [m for m in ("torch", "tensorflow") if m in sys.modules])
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    lines = done.stdout.splitlines()
    assert done.stderr == "" and len(lines) == 3, done.stdout + done.stderr
    message, verdict, timing = lines
    assert message.startswith("three_args.py:loss cannot be called as f(params, X, Y, spec): "
                              "loss(X, y, reg) has 3 parameter(s); the data comes first")
    assert "--mode update" not in message  # 3 arguments are no hint of an SGD step
    assert verdict == "verdict: FAIL"
    # the message comes before any framework is imported (what made it take seconds); the
    # time is printed for a reader, not asserted: a busy machine must not fail the gate
    _, _, _, exit_code, _, frameworks = timing.split(" ", 5)
    assert exit_code == "1" and frameworks == "[]"


def _run_here(script: Path) -> tuple[int, str]:
    """A reproduction script's ``main()`` in this process (no second torch import): its exit
    code and what it printed. One test below also runs one the way a user does."""
    namespace = runpy.run_path(str(script), run_name="repro")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = namespace["main"]()
    return code, out.getvalue()


def _write_subject(path: Path, bias_line: str) -> None:
    path.write_text(textwrap.dedent(f"""
        from crosscheck.reference import loss_and_grads


        def step(params, X, Y, spec, lr):
            loss, grads = loss_and_grads(params, X, Y, spec)
            new = {{k: params[k] - lr * grads[k] for k in params}}
            new["b1"] = {bias_line}
            return new
    """))


def test_a_written_repro_script_turns_green_once_the_subject_is_fixed(capsys, tmp_path,
                                                                      no_diagnosis):
    """Update mode, a relative target: the script finds the subject by its absolute path,
    calls it as verify did, and exits 0 once it is fixed; 1 with the recorded values once it
    is gone."""
    work = tmp_path / "work"
    work.mkdir()
    subject = work / "my_step.py"
    _write_subject(subject, 'params["b1"] - lr * grads["b1"] / X.shape[0]')  # the bug
    import os

    here = os.getcwd()
    os.chdir(work)
    try:
        code, out, _ = verify(capsys, "my_step.py:step", "--mode", "update", *QUICK[:2],
                              "--networks", "2", "--batch", "3", "--shrink", "1",
                              "--report", "rep")
    finally:
        os.chdir(here)
    assert code == 1
    script = next((work / "rep").glob("repro_*.py"))
    assert f"({script.resolve()})" in out  # the summary names the script where it is

    code, out = _run_here(script)
    assert code == 1 and "DISAGREE b1" in out, out
    _write_subject(subject, 'params["b1"] - lr * grads["b1"]')  # fixed
    fixed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           timeout=120, cwd=tmp_path)  # as a user runs it, from elsewhere
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert f"subject: called {subject.resolve()}:step" in fixed.stdout
    assert "all tensors agree" in fixed.stdout
    subject.unlink()
    code, out = _run_here(script)
    assert code == 1 and "using the recorded gradients" in out


def test_repro_script_of_a_subject_that_raised(capsys, tmp_path, no_diagnosis):
    """No KeyError 'W1': a subject that raised is reported as such, whether it is re-imported
    or gone."""
    subject = tmp_path / "raiser.py"
    subject.write_text("def f(params, X, Y, spec):\n    raise ValueError('not yet written')\n")
    code, out, _ = verify(capsys, f"{subject}:f", *QUICK[:2], "--networks", "1", "--shrink",
                          "1", "--report", str(tmp_path / "rep"))
    assert code == 1
    script = next((tmp_path / "rep").glob("repro_*.py"))
    code, out = _run_here(script)
    assert code == 1 and "which raised" in out and "ValueError: not yet written" in out
    subject.unlink()
    code, out = _run_here(script)
    assert code == 1 and "when crosscheck ran, it raised ValueError: not yet written" in out


def test_the_summary_names_a_script_path_only_once_written(capsys, no_diagnosis):
    code, out, _ = verify(capsys, str(SUBJECTS / "bias_mean_vs_sum.py:loss_and_grads"),
                          *QUICK[:2], "--networks", "1", "--batch", "3", "--shrink", "1")
    assert code == 1 and "smallest failing network: " in out
    line = next(x for x in out.splitlines() if "smallest failing network" in x)
    assert "(" not in line and "repro_" not in line  # no script was written, so no path


# ---- --activations, --output-activation ---------------------------------------------------

@pytest.mark.parametrize("options, check", [
    (dict(activations=("sigmoid",)),
     lambda s: set(s.activations) == {"sigmoid"} and s.loss == "mse"),
    (dict(activations=("relu", "tanh", "identity")),
     lambda s: s.activations == ("relu", "tanh", "identity")),
    (dict(output_activations=("tanh",), losses=("mse", "half_sse")),
     lambda s: s.activations[-1] == "tanh"),
    (dict(output_activations=("sigmoid", "identity"), hidden_activations=("relu",)),
     lambda s: s.activations[-1] in ("sigmoid", "identity") and set(s.activations[:-1]) <= {"relu"}),
    (dict(targets="labels"), lambda s: s.loss == "softmax_cross_entropy"),
])
def test_networks_respect_the_architecture_options(options, check):
    campaign = network_options(networks=30, seed=4, **options)
    for i in range(campaign.networks):
        case = case_for(campaign, i)
        assert check(case.spec), case.spec.describe()
        if campaign.targets == "labels":
            assert case.Y.dtype == np.int64 and case.Y.shape == (case.batch,)


def test_the_api_takes_the_same_keywords():
    result = crosscheck.verify(loss_and_grads, networks=3, oracles=("torch", "fd"), shrink=0,
                               activations="tanh", loss="half_sse", targets="soft")
    assert result.passed
    assert all(set(c.spec.activations) == {"tanh"} and c.spec.loss == "half_sse"
               for c in result.cases)
    with pytest.raises(UsageError, match="output layer must be identity"):
        crosscheck.verify(loss_and_grads, output_activation="relu", loss="sigmoid_bce")


@pytest.mark.parametrize("args, words", [
    (["--activations", "sigmoid", "--loss", "softmax_cross_entropy"],
     "--activations sigmoid puts sigmoid on the output layer, but softmax_cross_entropy"),
    (["--output-activation", "sigmoid", "--loss", "sigmoid_bce"], "output layer must be identity"),
    (["--targets", "labels", "--loss", "mse"], "--targets labels (integer class indices) applies "
                                               "only to --loss softmax_cross_entropy, not mse"),
    (["--targets", "labels", "--activations", "relu"], "(implied by --targets labels)"),
    (["--activations", "relu,tanh", "--sizes", "3-4-5-2"], "names 2 layers (relu,tanh) but"),
    (["--activations", "relu", "--hidden-activations", "tanh"], "drop --hidden-activations"),
    (["--dtype", "float32", "--mode", "update"], "--dtype float32 applies to --mode grads only"),
])
def test_conflicting_options_are_one_line_and_exit_2(capsys, args, words):
    code, out, err = verify(capsys, str(SUBJECTS / "class_layers.py:loss_and_grads"), *args)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert words in err, err


def test_targets_are_drawn_as_asked():
    spec = NetworkSpec(sizes=(3, 4), activations=("identity",), loss="softmax_cross_entropy")
    onehot = random_batch(spec, 6, np.random.default_rng(1), "onehot")[1]
    labels = random_batch(spec, 6, np.random.default_rng(1), "labels")[1]
    soft = random_batch(spec, 6, np.random.default_rng(1), "soft")[1]
    assert np.array_equal(onehot.argmax(axis=1), labels) and labels.dtype == np.int64
    assert np.allclose(soft.sum(axis=1), 1) and not np.all(np.isin(soft, (0.0, 1.0)))
    mse = NetworkSpec(sizes=(3, 4), activations=("sigmoid",), loss="half_sse")
    assert np.allclose(random_batch(mse, 5, np.random.default_rng(2), "onehot")[1].sum(axis=1), 1)
    with pytest.raises(ValueError, match="apply only to softmax_cross_entropy"):
        random_batch(mse, 5, np.random.default_rng(2), "labels")


def test_default_draws_are_unchanged_by_the_new_options():
    """A seed gives the networks it gave before half_sse, --targets and --activations."""
    campaign = network_options(networks=5, seed=1)
    assert campaign.losses == ("mse", "softmax_cross_entropy", "sigmoid_bce")
    plain = random_case(np.random.default_rng([1, 3]))
    assert case_for(campaign, 3).spec == plain.spec


# ---- --dtype float32 -----------------------------------------------------------------------

def test_float32_mode_gives_float32_and_wants_float32_or_an_upcast_back():
    case = random_case(np.random.default_rng(3), sizes=(3, 4, 2), losses=("mse",))
    seen = {}

    def spy(params, X, Y, spec, dtype=np.float64):
        seen.update(params=params["W1"].dtype, X=X.dtype, Y=Y.dtype)
        return np.float32(1.5), {k: np.zeros(v.shape, dtype) for k, v in params.items()}

    result = check_case(case, adapt(spy, dtype="float32"), [])  # float64: compared by value
    assert seen == {"params": np.float32, "X": np.float32, "Y": np.float32}
    assert result.error_kind == "uncompared"  # no oracle here: nothing wrong with what came back
    result = check_case(case, adapt(lambda *a: spy(*a, dtype=np.float16), dtype="float32"), [])
    assert "grads['W1'] has dtype float16, expected float32 (--dtype float32" in result.error


def test_a_float32_port_with_an_upcast_gradient_passes_with_a_note(capsys, no_diagnosis):
    code, out, _ = verify(capsys, str(SUBJECTS / "float32_upcast.py:loss_and_grads"),
                          "--dtype", "float32", *QUICK[:2], "--networks", "3",
                          "--sizes", "3-4-2", "--l2", "0.5")
    assert code == 0, out
    assert ("note: W2 came back float64 on 3 of 3 networks (an upcast in your float32 code); "
            "compared by value, with the float32 tolerances") in " ".join(out.split())


def test_a_float32_function_without_the_flag_is_pointed_to_it(capsys, no_diagnosis):
    code, out, _ = verify(capsys, str(SUBJECTS / "float32_grads.py:loss_and_grads"),
                          *QUICK[:2], "--networks", "1")
    assert code == 1 and "checked with --dtype float32" in out


def test_float32_tolerance_is_the_looser_of_its_row_and_the_oracles():
    t = SubjectTolerance(dtype="float32")
    assert not t.is_default
    assert t.against("autodiff") == TOLERANCES["float32"] == t.against("fd")
    assert SubjectTolerance(dtype="float32", scale=2).against("torch").rtol == 2e-4


# ---- the probe and the advice --------------------------------------------------------------

def _sgd(params, X, Y, spec, lr): ...
def _grads(params, X, Y, spec): ...
def _no_spec(params, X, Y): ...
def _kw_only(params, X, Y, spec, *, lam): ...
def _course(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_): ...
def _flexible(*args): ...


@pytest.mark.parametrize("fn, mode, words", [
    (_grads, "grads", ""),
    (_sgd, "update", ""),
    (_flexible, "grads", ""),
    (_sgd, "grads", "it looks like an SGD step f(params, X, Y, spec, lr) -> new_params: use --mode update"),
    (_grads, "update", "drop --mode update"),
    (_no_spec, "grads", "has 3 parameter(s); the suite passes 4 arguments: add spec (spec carries"),
    (_no_spec, "update", "add spec, lr"),
    (_kw_only, "update", "required keyword-only parameter(s) lam"),
    (_course, "grads", "--layout theta-unrolled"),
])
def test_probe_signature(fn, mode, words):
    message = probe_signature(fn, mode=mode)
    assert (message == "") == (words == "")
    assert words in message and "\n" not in message
    if fn is _no_spec and mode == "grads":
        assert "update" not in message


def test_a_function_that_raises_on_some_activations_gets_one_advice_line(capsys, no_diagnosis):
    code, out, _ = verify(capsys, str(SUBJECTS / "relu_sigmoid_only.py:loss_and_grads"),
                          "--loss", "softmax_cross_entropy", *QUICK, "--networks", "10")
    assert code == 1
    advice = [line for line in out.splitlines() if line.startswith("advice:")]
    raised = out.count("raised KeyError")  # one line per failing network shown
    assert len(advice) == 1 and raised
    assert re.fullmatch(r"advice: it raised on the \d+ network\(s\) with a hidden identity or tanh "
                        r"layer, and ran on every other; to check what it implements, add "
                        r"--hidden-activations sigmoid,relu", advice[0]), advice
    code, out, _ = verify(capsys, str(SUBJECTS / "relu_sigmoid_only.py:loss_and_grads"),
                          "--loss", "softmax_cross_entropy", *QUICK, "--networks", "10",
                          "--hidden-activations", "sigmoid,relu")
    assert code == 0, out



def test_a_function_that_raises_without_a_hidden_layer_gets_the_advice_line(capsys,
                                                                             no_diagnosis):
    """A FullyConnectedNet reading hidden_dims[0] raises IndexError at depth 1 (the contract
    promises an advice line for a function that raises only on some kinds of network)."""
    target = str(SUBJECTS / "needs_hidden_layer.py:loss_and_grads")
    code, out, _ = verify(capsys, target, *QUICK)
    assert code == 1
    advice = [line for line in out.splitlines() if line.startswith("advice:")]
    assert advice == ["advice: it raised IndexError on the 3 network(s) with no hidden layer "
                      "(depth 1), and ran on every other; to check what it implements, add "
                      "--sizes with a hidden layer (any widths), e.g. --sizes 29-15-8"]
    code, out, _ = verify(capsys, target, *QUICK, "--sizes", "29-15-8")
    assert code == 0, out


# ---- shrinking keeps the failure -----------------------------------------------------------

def test_factor_classes_are_named_in_the_networks_numbers():
    case = random_case(np.random.default_rng(0), sizes=(3, 4), batch=6, losses=("mse",))
    assert "1/batch" in _symbols(1 / 6, case, 1e-9)
    assert "n/2" in _symbols(6 * 4 / 2, case, 1e-9)
    assert _symbols(-1.0, case, 1e-9) == {"-1"}
    assert _symbols(0.37, case, 1e-9) == {"uniform"}
    small = random_case(np.random.default_rng(0), sizes=(3, 4), batch=2, losses=("mse",))
    assert _symbols(1 / 6, case, 1e-9) & _symbols(1 / 2, small, 1e-9)  # 1/batch both times


def test_shrink_rejects_a_smaller_network_that_fails_another_way(oracle_cache):
    """A subject whose bias gradient is halved on wide networks and negated on narrow ones:
    the narrow candidates fail too, but differently, so the shrink keeps the wide failure."""
    from crosscheck.engine.shrink import shrink_case

    def two_bugs(params, X, Y, spec):
        loss, grads = loss_and_grads(params, X, Y, spec)
        factor = 0.5 if max(spec.sizes) >= 4 else -1.0
        return loss, {k: g * factor if k.startswith("b") else g for k, g in grads.items()}

    oracles = [oracle_cache("torch"), oracle_cache("fd")]
    case = random_case(np.random.default_rng(5), sizes=(3, 6, 4), batch=4, losses=("mse",),
                       hidden_activations=("tanh",), l2=0.0)
    result = check_case(case, two_bugs, oracles, subject="s")
    small, small_result, _, _ = shrink_case(result, two_bugs, oracles)
    assert max(small.spec.sizes) >= 4
    assert same_failure(failure_signature(result), failure_signature(small_result))
    assert "1/2" in failure_signature(result)[1][0][2]  # (subject, "biases", classes)
