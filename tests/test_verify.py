"""``crosscheck verify``: correct implementations in other styles pass, broken ones fail with a
clear verdict (never our traceback), and bad command-line input is one line and exit 2."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from crosscheck.oracles import get_oracle
from crosscheck.reference import loss_and_grads as reference
from crosscheck.reference.sampling import random_case

import crosscheck.diagnosis.diagnose as diagnose_module
from crosscheck.cli.main import main
from crosscheck.engine.check import SubjectError, check_case, run_subject
from crosscheck.subject.adapters import adapt, call_with_timeout

SUBJECTS = Path(__file__).parent / "subjects"
# Small, fast campaigns: two cheap oracles make a majority of three with the subject.
QUICK = ["--oracles", "torch,fd"]
FIXED = [*QUICK, "--networks", "2", "--sizes", "3-5-4", "--batch", "4"]


def verify(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["verify", *args])
    except SystemExit as exc:  # argparse errors exit from inside parse_args
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_diagnosis(monkeypatch):
    """These tests check verdicts and messages, not suspects (tests/test_verify_diagnosis.py)."""
    monkeypatch.setattr(diagnose_module, "diagnose", lambda result, rerun=None, **kw: [])


# ---- correct implementations, written unlike the reference, pass ---------------------------

CORRECT = {
    "per-sample-loops": ["loops_per_sample.py:loss_and_grads"],
    "class-layers": ["class_layers.py:loss_and_grads"],
    "theta": ["theta_course.py:nn_cost", "--layout", "theta"],
    "theta-unrolled": ["theta_unrolled.py:nn_cost_function", "--layout", "theta-unrolled"],
    "update": ["update_step.py:sgd_step", "--mode", "update", "--lr", "0.5"],
    "theta-update": ["theta_update.py:gradient_step", "--layout", "theta", "--mode", "update"],
}


@pytest.mark.parametrize("style", list(CORRECT))
def test_correct_styles_pass(capsys, style):
    target, *options = CORRECT[style]
    code, out, err = verify(capsys, str(SUBJECTS / target), *options, *QUICK, "--networks", "8",
                            "--seed", "3")
    assert code == 0, out + err
    assert "8 passed, 0 failed" in out and out.rstrip().endswith("verdict: PASS")


def test_correct_against_all_three_oracles(capsys):
    code, out, _ = verify(capsys, str(SUBJECTS / "class_layers.py:loss_and_grads"),
                          "--networks", "3", "--batch", "3", "--oracles", "torch,tensorflow,fd")
    assert code == 0 and "vs torch, tensorflow, fd" in out


def test_verify_asks_torch_and_fd_by_default_and_run_all_three(capsys):
    code, out, _ = verify(capsys, str(SUBJECTS / "class_layers.py:loss_and_grads"),
                          "--networks", "2", "--batch", "3")
    assert code == 0 and out.startswith("class_layers.py:loss_and_grads vs torch, fd:"), out
    assert main(["run", "--networks", "1", "--seed", "1"]) == 0
    assert "vs torch, tensorflow, fd" in capsys.readouterr().out


def test_module_target(capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(SUBJECTS))
    code, out, _ = verify(capsys, "loops_per_sample:loss_and_grads", *QUICK, "--networks", "2")
    assert code == 0 and out.startswith("loops_per_sample:loss_and_grads vs torch, fd")


def test_installed_entry_point(tmp_path):
    exe = Path(sys.executable).with_name("crosscheck")
    proc = subprocess.run([str(exe), "verify", str(SUBJECTS / "theta_course.py:nn_cost"),
                           "--layout", "theta", "--oracles", "torch,fd", "--networks", "2",
                           "--report", str(tmp_path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["verdict"] == "pass" and report["subject"] == "theta_course.py:nn_cost"


# ---- one-bug implementations fail on the tensors the bug touches ---------------------------

def _failing_tensors(report_dir: Path) -> set[str]:
    report = json.loads((report_dir / "report.json").read_text())
    assert report["verdict"] == "fail"
    return {t["tensor"] for c in report["cases"] for t in c["tensors"] if t["status"] != "agree"}


@pytest.mark.parametrize("target, options, wrong", [
    ("bias_mean_vs_sum.py:loss_and_grads", [], {"b1", "b2"}),
    ("sigmoid_deriv_z.py:loss_and_grads", ["--hidden-activations", "sigmoid"], {"W1", "b1"}),
    ("mse_missing_2_over_n.py:loss_and_grads", ["--loss", "mse"], {"W1", "b1", "W2", "b2"}),
], ids=["bias-mean-vs-sum", "sigmoid-deriv-input", "mse-missing-2-over-n"])
def test_bugs_fail_on_the_right_tensors(capsys, tmp_path, no_diagnosis, target, options, wrong):
    code, out, _ = verify(capsys, str(SUBJECTS / target), *FIXED, *options, "--report",
                          str(tmp_path))
    assert code == 1 and "verdict: FAIL" in out
    assert _failing_tensors(tmp_path) == wrong


def test_update_order_depends_on_lr(capsys, no_diagnosis):
    code, out, _ = verify(capsys, str(SUBJECTS / "update_order.py:sgd_step"), "--mode", "update",
                          *FIXED)
    assert code == 1
    assert ("its step implies a gradient that depends on the learning rate: (before - after) / lr "
            "differs between lr=0.1 and lr=0.2 on W1, b1 (W2, b2 agree)") in out


# ---- what user code does wrong: a clear verdict, exit 1 ------------------------------------

BAD_OUTPUT = [
    ("raises.py:loss_and_grads", [], [
        "raised ValueError: matmul: Input operand 1 has a mismatch",
        'raises.py", line 8, in layer', "return np.tanh(W @ a + b)"]),
    ("wrong_keys.py:loss_and_grads", [], [
        "grads keys do not match params: missing ['W1', 'b1', 'W2', 'b2'], unexpected ['dW2'"]),
    ("transposed_dw.py:loss_and_grads", [], [
        "grads['W1'] has shape (5, 3), expected (3, 5) (transposed?)"]),
    ("float32_grads.py:loss_and_grads", [], ["grads['W1'] has dtype float32, expected float64"]),
    ("returns_nan.py:loss_and_grads", [], [
        "b1: returns_nan.py:loss_and_grads vs torch: 5 non-finite value(s) (NaN/Inf) from "
        "returns_nan.py:loss_and_grads"]),
    ("vector_loss.py:loss_and_grads", [], [
        "loss must be a scalar, got an array of shape (4,) (a loss per sample? take the mean)"]),
    ("grads_only.py:loss_and_grads", [], ["must return (loss, grads), got dict"]),
    ("mutates_x.py:loss_and_grads", [], [
        "mutated its input X: 12 element(s) changed, first at [0, 0]: "]),
    ("inplace_update.py:sgd_step", ["--mode", "update"], [
        "mutated its input params['W1']: 15 element(s) changed, first at [0, 0]",
        "(an SGD step must return new arrays: W = W - lr * dW, not W -= lr * dW)"]),
    ("theta_transposed.py:nn_cost_transposed", ["--layout", "theta"], [
        "grads['Theta1'] has shape (4, 5), expected (5, 4) (transposed?)"]),
    ("unrolled_column.py:nn_cost_column", ["--layout", "theta-unrolled"], [
        "grad has shape (44, 1), expected (44,) (flatten it with .ravel())"]),
    ("theta_course.py:nn_cost", [], [
        "raised KeyError: 'Theta1' (it expects Theta matrices: use --layout theta)"]),
    ("update_step.py:sgd_step", [], [
        "update_step.py:sgd_step cannot be called as f(params, X, Y, spec): "
        "sgd_step(params, X, Y, spec, lr) has 5 required parameters; it looks like an SGD step "
        "f(params, X, Y, spec, lr) -> new_params: use --mode update"]),
    ("class_layers.py:loss_and_grads", ["--mode", "update"], [
        "cannot be called as f(params, X, Y, spec, lr): loss_and_grads(params, X, Y, spec) has "
        "4 parameter(s); it looks like a gradient function f(params, X, Y, spec) -> (loss, "
        "grads): drop --mode update"]),
    ("sleeps.py:loss_and_grads", ["--timeout", "0.3", "--networks", "1"], [
        "did not return within 0.3 s (--timeout) and was stopped",
        'sleeps.py", line 15, in loss_and_grads', "time.sleep(60)"]),
]


@pytest.mark.parametrize("target, options, expected", BAD_OUTPUT,
                         ids=[t.split(".py")[0] + "-".join(["", *o[:2]]) for t, o, _ in BAD_OUTPUT])
def test_bad_user_code_is_a_verdict(capsys, no_diagnosis, target, options, expected):
    code, out, err = verify(capsys, str(SUBJECTS / target), *FIXED, *options)
    assert code == 1, out + err
    assert "verdict: FAIL" in out and "Traceback" not in out + err
    for text in expected:
        assert text in out, f"{text!r} not in:\n{out}"
    # the user's frames only: none of the suite's own files is shown
    assert not any(f"{d}/{f}" in out for d, f in [("engine", "check.py"), ("subject", "adapters.py"),
                                                  ("oracles", ""), ("reports", "")])


def test_timeout_restores_the_previous_alarm_handler():
    def handler(signum, frame):
        raise AssertionError("not ours")

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        assert call_with_timeout(lambda x: x + 1, (1,), 5.0) == 2
        with pytest.raises(SubjectError) as info:
            call_with_timeout(__import__("time").sleep, (5,), 0.05)
        assert info.value.kind == "timeout"
        assert signal.getsignal(signal.SIGALRM) is handler
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, previous)


# ---- the adapters are exact -----------------------------------------------------------------

def _case(seed=0, **options):
    return random_case(np.random.default_rng(seed), **options)


def test_theta_layout_round_trip_is_exact():
    """A theta function that returns the reference's gradients in Theta form comes back as
    exactly the reference's gradients: bias column 0, W transposed."""
    case = _case(1, sizes=(3, 4, 2))
    loss, grads = reference(case.params, case.X, case.Y, case.spec)

    def theta_fn(thetas, X, Y, spec):
        if thetas is not None:
            assert thetas["Theta1"].shape == (4, 4)
            np.testing.assert_array_equal(thetas["Theta1"][:, 0], case.params["b1"])
            np.testing.assert_array_equal(thetas["Theta1"][:, 1:], case.params["W1"].T)
        return loss, {f"Theta{i}": np.hstack([grads[f"b{i}"][:, None], grads[f"W{i}"].T])
                      for i in (1, 2)}

    def unrolled_fn(nn_params, X, Y, spec):
        assert nn_params.shape == (4 * 4 + 2 * 5,)  # Theta1 (4, 4) then Theta2 (2, 5), row-major
        np.testing.assert_array_equal(nn_params[:4], [case.params["b1"][0], *case.params["W1"][:, 0]])
        _, g = theta_fn(None, X, Y, spec)
        return loss, np.concatenate([g["Theta1"].ravel(), g["Theta2"].ravel()])

    for fn, layout in ((theta_fn, "theta"), (unrolled_fn, "theta-unrolled")):
        party = run_subject(adapt(fn, layout=layout), case)
        assert party.loss == loss
        for k in grads:
            np.testing.assert_array_equal(party.grads[k], grads[k])


def test_update_mode_infers_the_gradient_and_checks_the_step():
    case = _case(2, l2=0.5)
    _, grads = reference(case.params, case.X, case.Y, case.spec)

    def good(params, X, Y, spec, lr):
        return {k: params[k] - lr * grads[k] for k in params}

    def lr_dependent(params, X, Y, spec, lr):  # right at lr = 0.1 only
        return {k: params[k] - lr * grads[k] * (1 + (lr - 0.1)) for k in params}

    party = run_subject(adapt(good, mode="update", lr=0.1), case)
    for k in grads:
        np.testing.assert_allclose(party.grads[k], grads[k], rtol=0, atol=1e-13)
    result = check_case(case, adapt(lr_dependent, mode="update", lr=0.1), [get_oracle("torch")])
    assert result.verdict == "fail" and result.error_kind == "lr-dependent"


def test_update_mode_rejects_a_step_too_small_to_infer():
    with pytest.raises(ValueError, match="lr must be a finite number >= 0.001"):
        adapt(lambda *a: None, mode="update", lr=1e-4)


# ---- bad command-line input: one line on stderr, exit 2 -------------------------------------

def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("case", [
    "missing-file", "no-function", "not-callable", "syntax-error", "import-raises", "no-colon",
    "no-module", "bad-sizes", "lr-without-update", "lr-too-small", "bad-timeout",
    "report-is-a-file", "bad-layout",
])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, case):
    good = str(SUBJECTS / "class_layers.py:loss_and_grads")
    args, expected = {
        "missing-file": (["nowhere/net.py:f"], "crosscheck: error: nowhere/net.py: no such file"),
        "no-function": ([str(SUBJECTS / "class_layers.py:backprop")],
                        "class_layers.py has no function 'backprop' (it defines: "),
        "not-callable": ([str(SUBJECTS / "not_a_function.py:LEARNING_RATE")],
                         "not_a_function.py:LEARNING_RATE is a float, not a function"),
        "syntax-error": ([_write(tmp_path, "broken.py", "def f(:\n    pass\n") + ":f"],
                         "broken.py, line 1: SyntaxError: "),
        "import-raises": ([_write(tmp_path, "boom.py", "import numpy\nraise RuntimeError('no data')\n")
                           + ":f"],
                          "raised RuntimeError: no data (at boom.py, line 2)"),
        "no-colon": ([str(SUBJECTS / "class_layers.py")],
                     "expected FILE.py:FUNC or package.module:FUNC"),
        "no-module": (["no_such_pkg.mod:f"], "no_such_pkg.mod: no such module"),
        "bad-sizes": ([good, "--sizes", "4-x-3"], "--sizes wants widths joined by '-'"),
        "lr-without-update": ([good, "--lr", "0.1"], "--lr only applies with --mode update"),
        "lr-too-small": ([good, "--mode", "update", "--lr", "1e-5"], "--lr wants a finite number >= 0.001"),
        "bad-timeout": ([good, "--timeout", "0"], "--timeout wants seconds from 0.01 to 86400"),
        "report-is-a-file": ([good, "--report", _write(tmp_path, "f.txt", "")],
                             "exists and is not a directory"),
        "bad-layout": ([good, "--layout", "matlab"], "invalid choice: 'matlab'"),
    }[case]
    code, out, err = verify(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("crosscheck"), err
    assert expected in err, err


def test_fd_refine_of_a_whole_tensor_is_flat():
    """A subject wrong on every element of a weight matrix makes the engine refine the whole
    tensor; refine() must still return mask-ordered 1-D values (it returned the 2-D tensor)."""
    case = _case(4, sizes=(3, 4, 2))
    fd = get_oracle("fd")
    mask = np.ones((3, 4), dtype=bool)
    refined = fd.refine(case.params, case.X, case.Y, case.spec, "W1", mask)
    assert refined.shape == (12,)
    _, grads = reference(case.params, case.X, case.Y, case.spec)
    np.testing.assert_allclose(refined, grads["W1"].ravel(), rtol=1e-6, atol=1e-8)


def test_failing_cases_get_suspects_printed_and_reported(capsys, tmp_path, monkeypatch):
    """The call site of the diagnosis, against its interface (a stand-in module here: the real
    one is tests/test_verify_diagnosis.py's business). Each failing case gets
    ``diagnose(case_result, rerun)``; rerun re-checks the same adapted function; the suspects
    are printed and reported in the order diagnose ranked them."""
    import dataclasses
    import types

    @dataclasses.dataclass(frozen=True)
    class Suspect:
        id: str
        title: str
        score: float
        evidence: str

        def to_dict(self):
            return dataclasses.asdict(self)

    calls = []

    def diagnose(result, rerun=None, **kw):
        other = rerun(result.case)
        calls.append((result.verdict, other.verdict, other.subject == result.subject))
        return [Suspect("update-order", "a weight updated before it is used", 1.0, "lr"),
                Suspect("sign-flip", "a sign", 0.5, "ratio -1")]

    fake = types.ModuleType("crosscheck.diagnosis.diagnose")
    fake.Suspect, fake.diagnose = Suspect, diagnose
    monkeypatch.setitem(sys.modules, "crosscheck.diagnosis.diagnose", fake)
    code, out, _ = verify(capsys, str(SUBJECTS / "update_order.py:sgd_step"), "--mode", "update",
                          *FIXED, "--report", str(tmp_path))
    assert code == 1 and calls == [("fail", "fail", True)] * 2
    assert "    suspect 1: update-order (1.00) a weight updated before it is used" in out
    assert "    suspect 2: sign-flip (0.50) a sign\n      ratio -1" in out
    cases = json.loads((tmp_path / "report.json").read_text())["cases"]
    assert [[s["id"] for s in c["suspects"]] for c in cases] == [["update-order", "sign-flip"]] * 2


def test_report_json_carries_the_kind_and_the_users_traceback(capsys, tmp_path):
    code, _, _ = verify(capsys, str(SUBJECTS / "raises.py:loss_and_grads"), *FIXED,
                        "--shrink", "0", "--report", str(tmp_path))
    assert code == 1
    case = json.loads((tmp_path / "report.json").read_text())["cases"][0]
    assert case["error_kind"] == "raised" and case["error"]
    assert 'raises.py", line 8, in layer' in case["error_detail"]
