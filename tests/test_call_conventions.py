"""How the user's function is called (issue 19): an SGD step with its step size built in
(``--fixed-lr``), Octave's column-major unrolled vectors (``--unrolled-order F``), the user's
own arrays (``crosscheck.check_at``, ``verify --inputs``), and a function typed into a notebook
cell, checked in the worker all the same."""

from __future__ import annotations

import linecache
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from crosscheck.reference import NetworkSpec, init_params, random_batch
from crosscheck.reference import loss_and_grads as reference
from crosscheck.reference.sampling import Case
from crosscheck.reports.repro import reproduction_script

import crosscheck
from crosscheck.cli.main import main
from crosscheck.engine.check import run_subject
from crosscheck.subject.adapters import adapt
from crosscheck.subject.loading import load_function

SUBJECTS = Path(__file__).parent / "subjects"
QUICK = ["--oracles", "torch,fd", "--shrink", "0"]
FAST = dict(oracles=("torch", "fd"), shrink=0)


def verify(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["verify", *args])
    except SystemExit as exc:  # argparse errors exit from inside parse_args
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _case(sizes=(3, 5, 2), activations=("tanh", "identity"), loss="mse", l2=0.3, seed=1):
    rng = np.random.default_rng(seed)
    spec = NetworkSpec(sizes=sizes, activations=activations, loss=loss, l2=l2)
    X, Y = random_batch(spec, 4, rng)
    return Case(spec, init_params(spec, rng), X, Y)


def _subject(target: str):
    """A function of tests/subjects, loaded as crosscheck loads it (its neighbours importable)."""
    return load_function(str(SUBJECTS / target))[0]


def _close(grads, case):
    want = reference(case.params, case.X, case.Y, case.spec)[1]
    return all(np.allclose(grads[k], want[k], rtol=1e-7, atol=1e-10) for k in want)


# ---- --fixed-lr: a step with its size built in, called once ----------------------------------

def test_a_step_with_its_size_built_in_is_called_once_without_lr():
    calls = []

    def step(params, X, Y, spec):  # no lr: the rate is the function's own
        calls.append(len(params))
        _, g = reference(params, X, Y, spec)
        return {k: params[k] - 0.05 * g[k] for k in params}

    case = _case()
    party = run_subject(adapt(step, mode="update", fixed_lr=0.05), case)
    assert len(calls) == 1 and _close(party.grads, case)


def test_fixed_lr_on_the_command_line(capsys):
    target = str(SUBJECTS / "fixed_step.py")
    code, out, err = verify(capsys, f"{target}:train_step", "--fixed-lr", "0.05", "--networks",
                            "3", *QUICK)
    assert code == 0, out + err
    # without it, the step size cannot be told: one message, what to use
    code, out, _ = verify(capsys, f"{target}:train_step", "--mode", "update", *QUICK)
    assert code == 1 and "built in? use --fixed-lr LR" in out, out
    # a step that takes lr is not one with its size built in
    code, out, _ = verify(capsys, str(SUBJECTS / "update_step.py:sgd_step"), "--fixed-lr",
                          "0.1", *QUICK)
    assert code == 1 and "instead of --fixed-lr" in out, out


def test_a_built_in_step_that_updates_too_early_is_named(capsys):
    code, out, err = verify(capsys, f"{SUBJECTS / 'fixed_step.py'}:train_step_late_w2",
                            "--fixed-lr", "0.05", "--activations", "tanh,identity", "--loss",
                            "mse", "--networks", "3", "--oracles", "torch,fd", "--shrink", "0")
    assert code == 1, out + err
    assert "suspect 1: update-order" in out and "step size 0.05 built in" in out, out
    assert "depends on the learning rate" not in out  # no second rate was probed


@pytest.mark.parametrize("args, words", [
    (["--fixed-lr", "0.1", "--mode", "update", "--lr", "0.1"], "--lr is the rate your step takes"),
    (["--fixed-lr", "1e-5"], "--fixed-lr wants a finite number >= 0.001, got '1e-5'"),
    (["--unrolled-order", "F"], "--unrolled-order F says how --layout theta-unrolled flattens"),
], ids=["fixed-and-lr", "fixed-too-small", "order-without-unrolled"])
def test_conventions_that_do_not_fit_are_exit_2(capsys, args, words):
    code, out, err = verify(capsys, str(SUBJECTS / "fixed_step.py:train_step"), *args, *QUICK)
    assert (code, out) == (2, "") and words in err, err


def test_the_api_refuses_lr_beside_fixed_lr():
    step = _subject("fixed_step.py:train_step")
    with pytest.raises(crosscheck.UsageError, match="^lr is the rate your step takes"):
        crosscheck.verify(step, fixed_lr=0.05, lr=0.05)
    with pytest.raises(crosscheck.UsageError, match="^fixed_lr wants a finite number >= 0.001"):
        crosscheck.verify(step, fixed_lr=0.0)


# ---- --unrolled-order F: Octave's column-major vectors ----------------------------------------

def test_a_column_major_unrolled_function_is_read_column_major():
    nn_cost_function = _subject("theta_unrolled_f.py:nn_cost_function")
    case = _case(sizes=(3, 4, 5))  # not square: the two orders differ
    good = run_subject(adapt(nn_cost_function, layout="theta-unrolled", unrolled_order="F"), case)
    assert _close(good.grads, case)
    wrong = run_subject(adapt(nn_cost_function, layout="theta-unrolled"), case)
    assert not _close(wrong.grads, case)


def test_unrolled_order_on_the_command_line(capsys):
    target = f"{SUBJECTS / 'theta_unrolled_f.py'}:nn_cost_function"
    common = ["--layout", "theta-unrolled", "--networks", "3", "--sizes", "3-4-5", *QUICK]
    code, out, err = verify(capsys, target, *common, "--unrolled-order", "F")
    assert code == 0, out + err
    code, out, _ = verify(capsys, target, *common)
    assert code == 1, out
    # the forgotten flag is named: the answer is the reference's read in the other order
    conclusion = " ".join(out.split("conclusion: ", 1)[1].split("\n  FAIL", 1)[0].split())
    assert "It is the convention, not the backprop" in conclusion, out
    assert "check again with --unrolled-order F" in conclusion, out


def test_a_wrong_backprop_in_column_major_order_is_not_called_a_convention(capsys, tmp_path):
    """The order hint is only for a right answer read in the wrong order: a real bug in a
    column-major function, checked with the flag forgotten, gets no such words."""
    buggy = tmp_path / "theta_unrolled_f_bug.py"
    buggy.write_text(f"import sys\nsys.path.insert(0, {str(SUBJECTS)!r})\n"
                     "from theta_unrolled_f import nn_cost_function as _right\n\n\n"
                     "def nn_cost_function(p, X, Y, spec):\n"
                     "    loss, grad = _right(p, X, Y, spec)\n    return loss, 2 * grad\n")
    code, out, _ = verify(capsys, f"{buggy}:nn_cost_function", "--layout", "theta-unrolled",
                          "--networks", "3", "--sizes", "3-4-5", *QUICK)
    assert code == 1 and "not the backprop" not in out and "--unrolled-order F" not in out, out


# ---- the reproduction scripts call the function as crosscheck did -------------------------------

@pytest.mark.parametrize("target, call", [
    ("fixed_step.py:train_step", {"mode": "update", "lr": 0.05, "fixed_lr": 0.05}),
    ("theta_unrolled_f.py:nn_cost_function", {"layout": "theta-unrolled",
                                              "unrolled_order": "F"}),
], ids=["fixed-lr", "unrolled-F"])
def test_the_script_calls_the_function_as_crosscheck_did(tmp_path, target, call):
    case = _case(sizes=(3, 4, 5))
    script = tmp_path / "repro.py"
    script.write_text(reproduction_script(case, subject="s", subject_import=str(SUBJECTS / target),
                                          call=call))
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and "all tensors agree" in run.stdout, run.stdout + run.stderr


# ---- check_at / --inputs: the user's own arrays ---------------------------------------------------

def _correct(params, X, Y, spec):
    return reference(params, X, Y, spec)


def _bias_halved(params, X, Y, spec):
    loss, g = reference(params, X, Y, spec)
    return loss, {k: v / 2 if k.startswith("b") else v for k, v in g.items()}


def test_check_at_checks_the_arrays_given():
    case = _case()
    result = crosscheck.check_at(_correct, case.params, case.X, case.Y,
                                 activations="tanh,identity", loss="mse", l2=0.3, **FAST)
    assert result.passed and result.isolated and len(result.cases) == 1
    checked = result.cases[0].case
    assert checked.spec == case.spec and np.array_equal(checked.X, case.X)
    assert all(np.array_equal(checked.params[k], v) for k, v in case.params.items())
    bad = crosscheck.check_at(_bias_halved, case.params, case.X, case.Y,
                              activations="tanh,identity", loss="mse", l2=0.3, **FAST)
    assert not bad.passed
    assert {d.tensor for v in bad.cases[0].failing_votes() for d in v.diffs if not d.ok} \
        == {"b1", "b2"}


def test_check_at_takes_theta_matrices_and_labels():
    nn_cost = _subject("theta_course.py:nn_cost")
    case = _case(sizes=(4, 6, 3), activations=("sigmoid", "identity"),
                 loss="softmax_cross_entropy", l2=0.0)
    thetas = {f"Theta{i}": np.hstack([case.params[f"b{i}"][:, None], case.params[f"W{i}"].T])
              for i in (1, 2)}
    result = crosscheck.check_at(nn_cost, thetas, case.X, case.Y, layout="theta",
                                 activations="sigmoid,identity", loss="softmax_cross_entropy",
                                 **FAST)
    assert result.passed, str(result)
    assert result.cases[0].spec.sizes == (4, 6, 3)
    checked = result.cases[0].case.params
    assert all(np.array_equal(checked[k], v) for k, v in case.params.items())
    labels = np.arange(case.batch) % 3
    result = crosscheck.check_at(_correct, case.params, case.X, labels,
                                 hidden_activations="sigmoid", loss="softmax_cross_entropy",
                                 **FAST)  # the output is identity under a logit loss
    assert result.passed and result.cases[0].case.Y.dtype == np.int64, str(result)


def test_check_at_refuses_what_draws_networks():
    case = _case()
    with pytest.raises(crosscheck.UsageError, match="^batch describes random networks"):
        crosscheck.check_at(_correct, case.params, case.X, case.Y, activations="tanh,identity",
                            loss="mse", batch=3)


def _npz(path, **arrays):
    np.savez(path, **arrays)
    return str(path)


def test_inputs_on_the_command_line(capsys, tmp_path):
    case = _case()
    good = _npz(tmp_path / "at.npz", X=case.X, Y=case.Y, **case.params)
    target = str(SUBJECTS / "class_layers.py:loss_and_grads")
    code, out, err = verify(capsys, target, "--inputs", good, "--activations", "tanh,identity",
                            "--loss", "mse", "--l2", "0.3", *QUICK)
    assert code == 0, out + err
    assert "1 networks, 1 passed" in out and "checked once, at the arrays given" in out


def test_inputs_without_biases(capsys, tmp_path):
    """--no-bias with --inputs: the file holds W1, ..., WL only; a stray b1 or the flag
    forgotten is one line, exit 2."""
    case = _case(sizes=(3, 5, 2), activations=("tanh", "identity"), loss="mse", l2=0.3)
    weights = {k: v for k, v in case.params.items() if k.startswith("W")}
    at = _npz(tmp_path / "at.npz", X=case.X, Y=case.Y, **weights)
    target = str(SUBJECTS / "conventions.py:no_bias_mse")
    flags = ["--activations", "tanh,identity", "--loss", "mse", "--l2", "0.3", *QUICK]
    code, out, err = verify(capsys, target, "--inputs", at, "--no-bias", *flags)
    assert code == 0 and "1 networks, 1 passed" in out, out + err
    wrong = str(SUBJECTS / "conventions.py:no_bias_mse_tanh_deriv_input")
    code, out, err = verify(capsys, wrong, "--inputs", at, "--no-bias", *flags)
    assert code == 1 and "verdict: FAIL" in out, out + err
    code, out, err = verify(capsys, target, "--inputs", at, *flags)  # the flag forgotten
    assert (code, out) == (2, "") and "expected W1, b1, ..., W2, b2" in err, err
    with_b = _npz(tmp_path / "b.npz", X=case.X, Y=case.Y, **case.params)
    code, out, err = verify(capsys, target, "--inputs", with_b, "--no-bias", *flags)
    assert (code, out) == (2, "") and "expected W1, ..., W2 only" in err, err


@pytest.mark.parametrize("what, words", [
    ("missing", "no such file"),
    ("not-npz", "not an .npz file"),
    ("no-X", "has no X (it holds W1, W2, Y, b1, b2;"),
    ("chain", "W2 has shape (4, 2), but W1 gives 5 outputs: W2 must have 5 rows"),
    ("X", "X has shape (4, 2); the first layer takes 3 inputs"),
    ("Y", "Y has shape (3, 2), expected (4, 2)"),
])
def test_a_bad_inputs_file_is_one_line_and_exit_2(capsys, tmp_path, what, words):
    case = _case()
    arrays = {"X": case.X, "Y": case.Y, **case.params}
    if what == "no-X":
        del arrays["X"]
    elif what == "chain":
        arrays["W2"] = np.ones((4, 2))
    elif what in ("X", "Y"):
        arrays[what] = arrays[what][:, :2] if what == "X" else arrays[what][:3]
    path = str(tmp_path / "nope.npz") if what == "missing" else _npz(tmp_path / "at.npz", **arrays)
    if what == "not-npz":
        path = str(tmp_path / "text.npz")
        Path(path).write_text("X = 1\n")
    code, out, err = verify(capsys, str(SUBJECTS / "class_layers.py:loss_and_grads"), "--inputs",
                            path, "--activations", "tanh,identity", "--loss", "mse", *QUICK)
    assert (code, out) == (2, "") and err.count("\n") == 1 and words in err, err


# ---- a function typed into a notebook cell runs in the worker ---------------------------------------

CELL = '''
import numpy as np
from crosscheck.reference import loss_and_grads as _reference


class Layer:
    def __init__(self, scale):
        self.scale = scale


class Scaled(Layer):
    def __init__(self, scale):
        super().__init__(scale)

    @staticmethod
    def twice(x):
        return 2 * x

    @property
    def factor(self):
        return self.scale * Scaled.HALF * self.twice(1)

    def apply(self, grads):
        return {k: self.factor * v for k, v in grads.items()}


Scaled.HALF = 0.5


def cell_loss_and_grads(params, X, Y, spec):
    loss, grads = _reference(params, X, Y, spec)
    return loss, Scaled(1.0).apply(grads)


def cell_raises(params, X, Y, spec):
    raise ValueError("wrong in the cell")
'''


def _cell(namespace: dict, number: int = 3):
    """Run ``CELL`` as IPython runs a cell: compiled under a name linecache holds, in a
    namespace whose ``__name__`` is ``__main__``."""
    name = f"<ipython-input-{number}-5f3c2a1b9d0e>"
    linecache.cache[name] = (len(CELL), None, CELL.splitlines(True), name)
    exec(compile(CELL, name, "exec"), namespace)
    return namespace


def test_a_notebook_cell_runs_isolated_with_its_classes():
    ns = _cell({"__name__": "__main__"})
    fn = ns["cell_loss_and_grads"]
    assert fn.__module__ == "__main__" and fn.__code__.co_filename.startswith("<ipython-input-")
    result = crosscheck.verify(fn, networks=2, sizes="3-4-2", batch=3, **FAST)
    assert result.passed and result.isolated, str(result)


def test_a_notebook_cell_that_raises_shows_its_own_line():
    ns = _cell({"__name__": "__main__"}, number=4)
    result = crosscheck.verify(ns["cell_raises"], networks=1, sizes="3-4-2", batch=3, **FAST)
    assert result.isolated and not result.passed
    assert 'raise ValueError("wrong in the cell")' in str(result), str(result)
