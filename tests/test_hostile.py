"""Fail closed, round two: nothing the user's code does can pass, hang or outlive the gate.

Each test here reproduces one hole a hostile probe found (a lone subject counted as agreeing,
a half-written reply that hung the parent, a module planted where the parent imports from,
descendants that outlived the run, a check the subject could replace, the tool's own streams
closed or full) and asserts the exact behaviour that closes it. The hostile subjects are in
tests/subjects/ (named for what they do); the helpers are tests/test_isolation.py's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import crosscheck
from tests.test_isolation import ENV, ONE, SUBJECTS, cli, verify

RELU_ONLY = ["--oracles", "complex-step", "--activations", "relu", "--networks", "2",
             "--sizes", "3-5-4", "--batch", "4"]


# ---- 1. nothing compared is never a pass --------------------------------------------------

def test_oracles_that_sit_out_every_network_are_a_usage_error(capsys):
    code, out, err, _ = verify(capsys, str(SUBJECTS / "bias_mean_vs_sum.py:loss_and_grads"),
                               *RELU_ONLY)
    assert (code, out) == (2, ""), out + err
    assert err == ("crosscheck: error: the oracles chosen (complex-step) give fewer than 2 "
                   "independent answers on every network (complex-step needs analytic "
                   "activations, and these networks have relu): a verdict needs 2 besides the "
                   "subject's (torch, tensorflow, and fd or complex-step)\n"), err


@pytest.mark.parametrize("oracles", ["torch", "fd", "fd,complex-step"])
def test_fewer_than_two_independent_oracles_are_a_usage_error(capsys, oracles):
    """One framework, or fd with complex step (they differentiate crosscheck's one forward),
    can agree with the subject but never outvote it: no verdict, so exit 2 up front."""
    code, out, err, _ = verify(capsys, str(SUBJECTS / "bias_mean_vs_sum.py:loss_and_grads"),
                               "--oracles", oracles, "--networks", "2", "--sizes", "3-5-4")
    assert (code, out) == (2, ""), out + err
    assert "give fewer than 2 independent answers on every network" in err, err


def test_the_api_refuses_oracles_that_compare_nothing():
    with pytest.raises(crosscheck.UsageError, match=r"the oracles chosen \(complex-step\) give "
                                                    r"fewer than 2 independent answers"):
        crosscheck.verify(crosscheck.reference.loss_and_grads, oracles=["complex-step"],
                          activations="relu", networks=2, sizes="3-5-4", batch=4)


def test_run_with_oracles_that_compare_nothing_is_a_usage_error(capsys):
    from crosscheck.cli.main import main

    code = main(["run", *RELU_ONLY])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "") and "fewer than 2 independent answers" in err, out + err
    assert "every one of the 2 networks agrees" not in out


def test_a_network_one_oracle_answered_is_a_failure_and_the_summary_says_who_sat_out(capsys):
    """Mixed activations with torch and complex-step: where complex step applies (no ReLU)
    two answers agree and the network passes; where it sits out, torch alone is no verdict:
    each such network is a FAIL in words, never a pass, and a note counts them."""
    from crosscheck.cli.main import main

    code = main(["run", "--oracles", "torch,complex-step", "--networks", "6", "--seed", "0",
                 "--sizes", "3-5-4", "--batch", "4", "--hidden-activations", "relu,tanh",
                 "--shrink", "0"])
    out, err = capsys.readouterr()
    assert code == 1, out + err
    assert "reference: compared by torch alone on this network, and a verdict needs 2 " \
           "independent answers besides it (complex-step needs analytic activations" in out, out
    assert "note: complex-step sat out " in out and out.rstrip().endswith("verdict: FAIL"), out
    head = out.splitlines()[0]  # "... 6 networks, K passed, M failed": the tanh ones passed
    assert " 0 passed" not in head and " 0 failed" not in head, head


def test_a_lone_oracle_that_agrees_is_no_verdict_two_are():
    from crosscheck.oracles import get_oracle
    from crosscheck.reference import NetworkSpec, loss_and_grads
    from crosscheck.reference.sampling import random_case

    from crosscheck.engine.check import UNCOMPARED, check_case, too_few_answers

    rng = np.random.default_rng(4)
    case = random_case(rng, sizes=(3, 4, 2), activations=("tanh", "identity"), losses=("mse",))
    torch, fd, cs = get_oracle("torch"), get_oracle("fd"), get_oracle("complex-step")
    assert isinstance(case.spec, NetworkSpec)
    for oracles, verdict in (([torch], "fail"), ([fd, cs], "fail"), ([torch, fd], "pass"),
                             ([torch, cs], "pass")):
        r = too_few_answers(check_case(case, loss_and_grads, oracles, subject="reference"))
        assert r.verdict == verdict, [o.name for o in oracles]
        assert (r.error_kind == UNCOMPARED) == (verdict == "fail")
        assert all(v.ok for v in r.votes)  # every comparison made agreed


# ---- 2. every read from the worker is bounded: a half-written reply is a verdict -----------

@pytest.mark.parametrize("target, words", [
    ("half_reply.py:cut_reply", "half_reply.py:cut_reply sent a reply that was cut off: 2 of "
                                "its 100 bytes came within 1 s (--timeout)"),
    ("half_reply.py:huge_reply", "half_reply.py:huge_reply sent a reply of 1099511627776 bytes, "
                                 "above the "),
    ("half_reply_at_import.py:loss_and_grads",
     "half_reply_at_import.py:loss_and_grads sent a reply that was cut off: 2 of its 100 bytes "
     "came within 1 s (--timeout) while its module was being imported"),
], ids=["cut", "1-TiB", "cut-at-import"])
def test_a_half_written_reply_is_a_verdict_not_a_hang(target, words):
    code, out, err, _ = cli(str(SUBJECTS / target), "--oracles", "torch,fd", "--networks", "2",
                            "--sizes", "3-5-4", "--batch", "4", "--timeout", "1", timeout=60)
    assert code == 1, out + err
    assert words in out and out.rstrip().endswith("verdict: FAIL"), out


def test_a_half_written_reply_from_a_layer_backward_is_a_verdict(capsys):
    from crosscheck.cli.main import main

    path = SUBJECTS / "half_reply.py"
    code = main(["verify-layer", "relu", f"{path}:relu_forward", f"{path}:relu_backward",
                 "--cases", "2", "--timeout", "0.3"])
    out, err = capsys.readouterr()
    assert code == 1, out + err
    assert "relu_backward sent a reply that was cut off: 2 of its 100 bytes came within" in out, out


# ---- 3. the parent never imports from where user code can write ---------------------------

def test_a_module_planted_next_to_the_entry_script_never_runs(tmp_path):
    """The parent imports timeit lazily (torch does, after the worker has started). A timeit.py
    in the directory of the ``crosscheck`` script, which user code can write to, ran in the
    parent and made a wrong function exit 0."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "crosscheck"
    script.write_text(Path(sys.executable).with_name("crosscheck").read_text())
    script.chmod(0o755)
    marker = tmp_path / "planted-ran"
    (bin_dir / "timeit.py").write_text(f"import os\nopen({str(marker)!r}, 'w').close()\n"
                                       f"os._exit(0)\n")
    done = subprocess.run([str(script), "verify", str(SUBJECTS / "bias_mean_vs_sum.py:loss_and_grads"),
                           *ONE, "--shrink", "0"], capture_output=True, text=True, timeout=120,
                          env=ENV, cwd=bin_dir)
    assert not marker.exists()
    assert done.returncode == 1 and done.stdout.rstrip().endswith("verdict: FAIL"), done.stdout


# ---- 4. nothing the function started outlives the run ---------------------------------------

def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def test_a_double_forked_sleeper_is_dead_when_crosscheck_exits(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("written by crosscheck")
    exe = Path(sys.executable).with_name("crosscheck")
    done = subprocess.run([str(exe), "verify", str(SUBJECTS / "escapes.py:loss_and_grads"), *ONE,
                           "--shrink", "0"], capture_output=True, text=True, timeout=120,
                          env=dict(ENV, CROSSCHECK_ESCAPE=str(target)))
    assert done.returncode == 1 and "suspect 1: bias-mean-vs-sum" in done.stdout, done.stdout
    pid = int((tmp_path / "report.json.pid").read_text())
    assert not _alive(pid), f"the sleeper {pid} outlived crosscheck"
    time.sleep(3.5)  # when it would have written
    assert target.read_text() == "written by crosscheck"


# ---- 5. the mutation check is the parent's, on its own copies --------------------------------

def test_a_subject_that_replaces_the_workers_checks_is_still_caught_mutating(capsys):
    code, out, err, _ = verify(capsys, str(SUBJECTS / "replaces_checks.py:loss_and_grads"), *ONE,
                               "--shrink", "0")
    assert code == 1, out + err
    assert "replaces_checks.py:loss_and_grads mutated its input params['W1']: 15 element(s) " \
           "changed, first at [0, 0]" in out, out


# ---- 6. the tool's own streams, signals and bounds -------------------------------------------

def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("crosscheck")
    return subprocess.run([str(exe), "verify", *args], text=True, timeout=120, env=ENV, **kwargs)


def test_a_closed_stderr_still_gives_the_real_verdict():
    done = _run(str(SUBJECTS / "class_layers.py:loss_and_grads"), *ONE, stdout=subprocess.PIPE,
                preexec_fn=lambda: os.close(2))
    assert done.returncode == 0 and done.stdout.rstrip().endswith("verdict: PASS"), done.stdout


@pytest.mark.parametrize("subject, code", [("class_layers.py", 0), ("bias_mean_vs_sum.py", 1)])
def test_a_full_disk_on_stdout_is_one_line_and_the_verdicts_exit_code(subject, code):
    with open("/dev/full", "w") as full:
        done = _run(str(SUBJECTS / f"{subject}:loss_and_grads"), *ONE, "--shrink", "0",
                    stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == code, done.stderr
    assert done.stderr == ("crosscheck: error: cannot write to stdout (No space left on device); "
                           "the verdict is the exit code\n"), done.stderr


def test_control_bytes_the_function_prints_are_escaped(capsys):
    code, out, err, _ = verify(capsys, str(SUBJECTS / "prints_control.py:loss_and_grads"), *ONE,
                               "--shrink", "0")
    assert code == 1, out + err
    assert "      | \\x1b[2J\\x1b[Hscreen cleared\\x07" in out, out
    assert not any(c in out + err for c in "\x1b\x07")


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_terminated_run_ends_there_and_leaves_no_worker_directory(tmp_path, signame):
    """Three networks of a 10 s sleep each: the signal during the first ends the run at once
    with 128 + signal; the subject is not blamed for it and the campaign does not go on."""
    exe = Path(sys.executable).with_name("crosscheck")
    mark = tmp_path / "called"
    proc = subprocess.Popen([str(exe), "verify", str(SUBJECTS / "sleeps_marked.py:loss_and_grads"),
                             "--oracles", "torch,fd", "--networks", "3", "--sizes", "3-5-4",
                             "--timeout", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(ENV, TMPDIR=str(tmp_path),
                                                CROSSCHECK_TEST_MARK=str(mark)))
    try:
        for _ in range(1200):  # until the function is being called
            if mark.exists():
                break
            time.sleep(0.1)
        assert mark.exists(), "the function was never called"
        assert list(tmp_path.glob("crosscheck-worker-*")), "no worker directory"
        proc.send_signal(getattr(signal, signame))
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 128 + getattr(signal, signame), out + err
    assert "SystemExit" not in out + err and "verdict" not in out, out + err
    assert list(tmp_path.glob("crosscheck-worker-*")) == []


def test_a_tolerance_scale_above_a_million_is_a_usage_error():
    with pytest.raises(crosscheck.UsageError, match=r"tolerance_scale 1e\+300 is above 1e\+06"):
        crosscheck.verify(crosscheck.reference.loss_and_grads, tolerance_scale=1e300)


# ---- 7. functions without an importable source run in the worker too -----------------------

_CLOSURE_EXITS = """
import os, sys
import crosscheck
from crosscheck.reference import loss_and_grads

def make():
    code = 0
    def subject(params, X, Y, spec):  # a closure: it cannot be imported again by name
        os._exit(code)
    return subject

try:
    crosscheck.assert_backprop(make(), networks=1, oracles=("torch", "fd"), sizes="3-5-4", batch=4,
                               shrink=0)
except AssertionError as exc:
    print(exc)
    sys.exit(3)
"""


def test_a_closure_that_ends_its_process_fails_the_assertion_and_the_caller_lives():
    done = subprocess.run([sys.executable, "-c", _CLOSURE_EXITS], capture_output=True, text=True,
                          timeout=120, env=ENV)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "<string>:make.<locals>.subject ended the process with status 0" in done.stdout, \
        done.stdout


def test_a_lambda_runs_in_the_worker():
    from crosscheck.reference import loss_and_grads

    scale = 1.0  # a closure variable that travels with it
    result = crosscheck.verify(lambda p, X, Y, s: (scale * loss_and_grads(p, X, Y, s)[0],
                                                   loss_and_grads(p, X, Y, s)[1]),
                               networks=1, oracles=("torch", "fd"), sizes="3-5-4", batch=4, shrink=0)
    assert result.passed and result.isolated and "isolation off" not in str(result)


def test_what_cannot_be_sent_is_refused_unless_in_process_is_asked_for():
    import threading

    from crosscheck.reference import loss_and_grads

    lock = threading.Lock()

    def subject(params, X, Y, spec):
        with lock:
            return loss_and_grads(params, X, Y, spec)

    fast = dict(networks=1, oracles=("torch", "fd"), sizes="3-5-4", batch=4, shrink=0)
    with pytest.raises(crosscheck.UsageError) as info:
        crosscheck.verify(subject, **fast)
    assert str(info.value) == (
        "test_hostile.py:test_what_cannot_be_sent_is_refused_unless_in_process_is_asked_for."
        "<locals>.subject cannot run in a worker process: a function defined inside another "
        "cannot be imported by name, and it cannot be sent to the worker by value: its "
        "variable 'lock' (lock) cannot be pickled (TypeError). Pass in_process=True to run it "
        "in this process, without the worker's limits")
    result = crosscheck.verify(subject, in_process=True, **fast)
    assert result.passed and not result.isolated
    assert str(result).startswith("(isolation off: a function defined inside another cannot "
                                  "be imported by name; it ran in this process")


@pytest.mark.parametrize("forward, backward, words", [
    ("relu_forward_zeroes_x", "relu_backward", "forward wrote into x in place"),
    ("relu_forward", "relu_backward_masks_dout", "backward wrote into dout in place"),
], ids=["forward-writes-x", "backward-writes-dout"])
def test_a_layer_pair_that_writes_into_its_inputs_fails(capsys, forward, backward, words):
    """Every call gets copies, so the answers stay right; the writing itself is the bug."""
    from crosscheck.cli.main import main

    f = str(SUBJECTS / "layer_mutates.py")
    code = main(["verify-layer", "relu", f"{f}:{forward}", f"{f}:{backward}", "--cases", "3"])
    out = capsys.readouterr().out
    assert code == 1 and words in out, out


def test_in_process_checks_the_live_function_even_when_it_could_be_imported():
    """The worker re-imports a function from its file; in_process=True is the way to check
    the function as the caller's process has it (a module global changed at run time)."""
    import tests.subjects.mlp_parts as parts

    saved = parts.ACT["tanh"]
    parts.ACT["tanh"] = (np.tanh, lambda z, a: 1 - z * z)  # the derivative taken of z: a bug
    try:
        live = crosscheck.verify(_parts_loss, networks=2, sizes="3-5-4", loss="mse",
                                 hidden_activations="tanh", oracles=("torch", "fd"), shrink=0,
                                 in_process=True)
        assert not live.isolated and not live.passed
    finally:
        parts.ACT["tanh"] = saved


def _parts_loss(params, X, Y, spec):
    import tests.subjects.mlp_parts as parts

    acts, zs = parts.forward(params, X, spec)
    return parts.loss_value(params, acts[-1], Y, spec), parts.gradients(params, X, Y, spec)
