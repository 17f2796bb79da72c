"""Finding the line (issue 20): the first line of the user's own code that computes a wrong
value, found by tracing the function in the worker and matching what its lines bind against
the reference's intermediates. Each subject in tests/findline_subjects marks its bug with
``# BUG``; the line found must be that one, and a correct subject gets no line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from crosscheck.reference import NetworkSpec, init_params, random_batch
from crosscheck.reference.network import intermediates
from crosscheck.reference.sampling import Case

import crosscheck
from crosscheck.locate import find_line
from crosscheck.locate.match import locate, mlp_nodes
from crosscheck.locate.trace import trace_call, user_file
from crosscheck.subject.worker import SubjectWorker

HERE = Path(__file__).resolve().parent / "findline_subjects"


def _bug_line(name: str) -> int:
    lines = (HERE / name).read_text().splitlines()
    return next(i for i, text in enumerate(lines, 1) if "# BUG" in text)


def _module(path):
    """The module at ``path``, imported here (for the tracer's own tests)."""
    import importlib.util

    spec_ = importlib.util.spec_from_file_location(Path(path).stem, path)
    module = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(module)
    return module


def _case(sizes, activations, loss="mse", l2=0.0, batch=5, seed=3) -> Case:
    spec = NetworkSpec(sizes=sizes, activations=activations, loss=loss, l2=l2)
    rng = np.random.default_rng(seed)
    params = init_params(spec, rng)
    X, Y = random_batch(spec, batch, rng, "any")
    return Case(spec, params, X, Y)


def _found(name: str, case: Case) -> dict:
    update = name.startswith("sgd_step")  # update mode: sgd_step(params, X, Y, spec, lr)
    target = f"{HERE / name}:{'sgd_step' if update else 'loss_and_grads'}"
    with SubjectWorker(target, mode="update" if update else "grads", lr=0.1) as worker:
        worker.load()
        return find_line(worker, case)


@pytest.mark.parametrize("name, case, should, fact", [
    ("transposed_weight.py", _case((3, 4, 4, 2), ("tanh", "tanh", "identity")), "dL/da1", ""),
    ("leaky_relu_mask.py", _case((3, 6, 2), ("relu", "identity")), "dL/dz1",
     "only where z1 <= 0"),
    ("missing_batch_mean.py", _case((3, 5, 4), ("relu", "identity"), "softmax_cross_entropy"),
     "dL/da2", "factor batch"),
    ("class_net.py", _case((3, 4, 2), ("tanh", "identity")), "dL/dz1", ""),
    ("per_sample_loop.py", _case((3, 4, 2), ("sigmoid", "identity")), "dL/dz1", ""),
    ("helper_wrong_input.py", _case((3, 4, 2), ("sigmoid", "identity")), "dL/dz1", ""),
    ("sgd_step_update.py", _case((3, 4, 2), ("tanh", "identity")), "dL/dz1", "missing"),
    # a wrong loss with right gradients: the loss's own line, or the array it is built from
    ("loss_epsilon.py", _case((3, 4, 3), ("tanh", "identity"), "softmax_cross_entropy"),
     "the loss", "the reference's"),
    ("softmax_axis.py", _case((3, 4, 3), ("tanh", "identity"), "softmax_cross_entropy"),
     "the loss", "matches nothing the reference computes on the way to the loss"),
    # a backward given dL/da that hands back the local derivative alone
    ("graph_upstream_ignored.py", _case((3, 4, 2), ("sigmoid", "identity")), "dL/dz1",
     "the dL/da1 (layer 1) it was given is never multiplied in"),
    # a helper given the right z that is wrong in itself: its own line, not its call
    ("relu_helper_wrong.py", _case((3, 5, 2), ("relu", "identity")),
     "the activation's derivative (layer 1)", "only where z1 <= 0"),
    # per-sample code carries 1/batch to the end: the wrong derivative is named, not the scale
    ("per_sample_tanh_helper.py", _case((3, 4, 1), ("tanh", "identity"), batch=8),
     "the activation's derivative (layer 1)", "differ"),
    # right gradients changed before they are handed back
    ("clipped_grads.py", _case((3, 4, 2), ("tanh", "identity")), "dL/dW1", "a factor"),
    # the forward's output changed in place through an alias: where the alias was made
    ("alias_inplace.py", _case((3, 4, 2), ("tanh", "sigmoid")), "a2 (layer 2)",
     "the same array, not a copy"),
    # a constant on a line of its own (eps = 1e-7) is an input, never the departure
    ("loss_constant.py", _case((3, 4, 3), ("tanh", "identity"), "softmax_cross_entropy"),
     "the loss", "the reference's"),
    # a square weight gradient transposed is handed back as it is: a wrong value there
    ("transposed_square.py", _case((4, 4, 2), ("tanh", "identity")), "dL/dW1",
     "in a square shape the caller reads as it is"),
    # a loss returned from inside the loop over samples: one sample's loss is known, the
    # line that divides it as if it were the batch's is named
    ("per_sample_loss_return.py", _case((3, 4, 2), ("tanh", "identity"), batch=6), "the loss",
     "the reference's"),
    # the contract's L2 coefficient (l2 / batch) on a line of its own is known, not named
    ("l2_decay_loss.py", _case((3, 4, 3), ("tanh", "identity"), "softmax_cross_entropy",
                               l2=0.3), "the loss", "with its L2 term"),
    # update mode: a one-element bias stepped at the rate is right, the wrong W1 is named
    ("sgd_step_one_output.py", _case((3, 4, 1), ("tanh", "identity")), "dL/dW1", "differ"),
    # a bias gradient right as a (units, 1) column: the line that flattens it wrongly
    ("column_bias.py", _case((3, 4, 2), ("tanh", "identity")), "dL/db2", "a factor"),
])
def test_the_line_found_is_the_buggy_one(name, case, should, fact):
    found = _found(name, case)
    assert found["status"] == "found", found
    assert (Path(found["file"]).name, found["line"]) == (name, _bug_line(name)), found["text"]
    assert found["should_equal"].startswith(should)
    assert fact in found["detail"]
    assert found["text"].startswith(f"{name}:{_bug_line(name)}  ")


def test_a_bias_gradient_kept_as_a_column_matches_the_reference_vector():
    """Column-style code keeps b and db as (units, 1): such a column equals the reference's
    vector, so the line before the bug is the one that made db2 right."""
    found = _found("column_bias.py", _case((3, 4, 2), ("tanh", "identity")))
    lines = (HERE / "column_bias.py").read_text().splitlines()
    made = next(i for i, text in enumerate(lines, 1) if text.strip().startswith("db2 = "))
    assert found["status"] == "found"
    assert f"last line that matched: column_bias.py:{made}  db2 = " in found["text"], \
        found["text"]
    assert "equals dL/db2 (layer 2)" in found["text"]


def test_column_0_of_a_matrix_is_never_the_whole_of_a_vector():
    """A Theta layout's bias column matches db, but a line whose array is a bigger matrix
    (new weights) is not where a vector the size of its column was made."""
    from crosscheck.locate.match import _fits_whole

    W = np.arange(24.0).reshape(8, 3)
    assert not _fits_whole(W, W[:, 0].copy())
    assert _fits_whole(W[:, :1], W[:, 0].copy())  # a (units, 1) column is


def test_a_correct_subject_gets_no_line():
    found = _found("correct.py", _case((3, 4, 2), ("tanh", "identity"), l2=0.3))
    assert found["status"] == "unmatched"
    assert "every intermediate the reference computes was matched" in found["reason"]


def test_the_tracer_records_only_the_users_own_files():
    import crosscheck.reference.network as network

    assert user_file(str(HERE / "correct.py"))
    assert not user_file(np.__file__)
    assert not user_file(network.__file__)
    assert not user_file("<stdin>")


def test_the_tracer_records_what_each_line_binds_and_in_place_changes():
    module = _module(HERE / "missing_batch_mean.py")
    case = _case((3, 5, 4), ("relu", "identity"), "softmax_cross_entropy")
    result, error, recording = trace_call(module.loss_and_grads, case.params, case.X, case.Y,
                                          case.spec)
    assert error is None and result is not None
    names = [(r.line, r.name) for r in recording.records if not r.given]
    text = (HERE / "missing_batch_mean.py").read_text().splitlines()
    inplace = next(i for i, t in enumerate(text, 1) if "dhidden[hidden <= 0] = 0" in t)
    assert (inplace, "dhidden") in names  # changed in place: recorded again
    assert (_bug_line("missing_batch_mean.py"), "dscores") in names
    assert all(r.value.dtype == np.float64 for r in recording.records)
    # a record is what the line bound then: nothing downstream can change it
    assert not any(r.value.flags.writeable for r in recording.records)


def test_a_float32_array_is_recorded_as_float64_and_read_only(tmp_path):
    source = tmp_path / "single.py"
    source.write_text("import numpy as np\n"
                      "def f(x):\n"
                      "    y = (x * 2).astype(np.float32)\n"
                      "    return y\n")
    module = _module(source)
    _, error, recording = trace_call(module.f, np.array([[1.5, -2.0]]))
    assert error is None
    (y,) = [r for r in recording.records if r.name == "y"]
    assert y.value.dtype == np.float64 and y.value.tolist() == [[3.0, -4.0]]
    assert not y.value.flags.writeable


def test_a_comprehension_is_recorded_on_its_line_and_the_functions_it_calls_are_traced(
        tmp_path):
    source = tmp_path / "comprehension.py"
    source.write_text(
        "import numpy as np\n"
        "def act(z):\n"
        "    return np.tanh(z)\n"
        "def forward(zs):\n"
        "    outs = [act(z) for z in zs]\n"
        "    return sum(o.sum() for o in outs)\n")
    module = _module(source)
    zs = [np.full(2, 0.5), np.full(2, -0.5)]
    _, error, recording = trace_call(module.forward, zs)
    assert error is None
    on = {}
    for r in recording.records:
        on.setdefault(r.line, []).append(r.name)
    assert on[5] == ["outs[0]", "outs[1]"]  # the list, bound on its line; no frame of its own
    assert on[3] == ["return", "return"]  # act, called from inside it, is traced
    # a generator's own frame (line 6) is not followed either: the sum is what returns
    assert on[6] == ["return"]


def test_a_trace_reply_is_decoded_only_when_it_is_what_the_worker_sends():
    from crosscheck.subject.worker import _records

    value = np.arange(6.0).reshape(2, 3)
    good = ("f.py", 3, "z = x", False, (7, 1, ((1, 9),)), ("z", (2, 3), value.tobytes()))
    (rec,) = _records([good])
    assert (rec.file, rec.line, rec.name, rec.ident, rec.frame, rec.callers) == \
        ("f.py", 3, "z", 7, 1, ((1, 9),))
    assert np.array_equal(rec.value, value) and not rec.value.flags.writeable
    for bad in ([good[:5]],  # a field short
                [good[:5] + (("z", (2, 4), value.tobytes()),)],  # bytes for another shape
                [good[:5] + (("z", (2, -3), value.tobytes()),)],
                [good[:4] + ((7, 1, ((1, "9"),)),) + good[5:]],  # a caller's line a string
                [good[:1] + (3.0,) + good[2:]],  # a line number a float
                [None]):
        with pytest.raises(ValueError):
            _records(bad)


def test_a_broken_input_of_the_matcher_is_unmatched_not_a_guess():
    case = _case((3, 4, 2), ("tanh", "identity"))
    found = intermediates(case.params, case.X, case.Y, case.spec)
    nodes = mlp_nodes(found, case.params, case.X, case.Y, case.spec)
    assert locate([], nodes, batch=5, n_out=2)["status"] == "unmatched"


def test_verify_shows_the_line_in_the_summary_and_the_assertion():
    target = HERE / "leaky_relu_mask.py"
    module = _module(target)
    with pytest.raises(AssertionError) as err:
        crosscheck.assert_backprop(module.loss_and_grads, networks=2, seed=0, sizes="3-6-2",
                                   hidden_activations="relu", output_activation="identity",
                                   loss="mse", l2=0.0, shrink=1)
    assert f"first wrong line: leaky_relu_mask.py:{_bug_line('leaky_relu_mask.py')}  " \
        in str(err.value)


def test_nothing_is_traced_when_every_case_passes(monkeypatch):
    def traced(*args, **kwargs):
        raise AssertionError("traced although every case passed")

    monkeypatch.setattr(SubjectWorker, "trace", traced)
    module = _module(HERE / "correct.py")
    result = crosscheck.verify(module.loss_and_grads, networks=2, seed=0, sizes="3-4-2",
                               hidden_activations="tanh", output_activation="identity",
                               loss="mse")
    assert result.passed
    assert all(c.line is None for c in result.cases)


def _verified_line(name: str, **options) -> dict:
    """The line ``crosscheck.verify`` reports for a subject of findline_subjects (the API's
    own choice of which failing case to trace)."""
    module = _module(HERE / name)
    fn = getattr(module, "sgd_step", None) or module.loss_and_grads
    result = crosscheck.verify(fn, networks=2, seed=0, oracles=("torch", "fd"), shrink=1,
                               **options)
    assert not result.passed
    lines = [c.line for c in result.cases if c.line]
    assert len(lines) == 1, [c.error for c in result.cases]
    return dict(lines[0])


def test_a_gradient_in_the_wrong_shape_is_named_where_it_is_made():
    """Nothing is compared when a gradient comes back as a (1, n) row; the line that made
    it is still the one to show (it was "no line" before)."""
    found = _verified_line("bias_row.py", sizes="3-4-2", hidden_activations="tanh",
                           output_activation="identity", loss="mse", l2=0.0)
    assert found["line"] == _bug_line("bias_row.py"), found["text"]
    assert "dL/db1 (layer 1) as a row, and makes grads['b1'], which has shape (1, 4) where " \
           "(4,) is expected" in found["detail"], found["detail"]


def test_a_step_that_depends_on_lr_is_traced_and_named_where_the_updated_weight_is_used():
    found = _verified_line("sgd_step_order.py", mode="update", lr=0.1, sizes="3-5-2",
                           hidden_activations="tanh", output_activation="identity",
                           loss="mse", l2=0.0)
    assert found["line"] == _bug_line("sgd_step_order.py"), found["text"]
    assert found["should_equal"].startswith("dL/da1"), found["text"]


def test_a_parameter_counts_as_stepped_along_its_gradient_only_at_a_rate_it_was_given():
    """A one-element array is a step of some size along anything of its sign: only a step at
    the rate the function was called with carries the gradient, and only in update mode."""
    from crosscheck.engine.tolerances import TOLERANCES
    from crosscheck.locate.match import _stepped

    case = _case((3, 4, 1), ("tanh", "identity"))
    found = intermediates(case.params, case.X, case.Y, case.spec)
    by_key = {n.key: n for n in mlp_nodes(found, case.params, case.X, case.Y, case.spec)}
    tol = TOLERANCES["autodiff"]
    for param, grad in (("b2", "db2"), ("W2", "dW2")):
        b, db = by_key[param], by_key[grad]
        assert _stepped(b.value - 0.1 * db.value, db, b, tol, (0.1, 0.2)) is not None
        assert _stepped(b.value - 0.2 * db.value, db, b, tol, (0.1, 0.2)) is not None
        assert _stepped(b.value - 0.37 * db.value, db, b, tol, (0.1, 0.2)) is None
        assert _stepped(b.value - 0.1 * db.value, db, b, tol, ()) is None  # grads mode


def test_the_line_is_looked_for_on_an_ordinary_network_when_one_failed():
    """On an edge network (logits in the thousands) a textbook softmax overflows before the
    bug is reached; the line is found on the worst ordinary network that failed."""
    name = "unstable_softmax_bias_mean.py"
    module = _module(HERE / name)
    result = crosscheck.verify(module.loss_and_grads, networks=10, seed=0, sizes="3-4-3",
                               hidden_activations="tanh", output_activation="identity",
                               loss="softmax_cross_entropy", l2=0.0, shrink=1)
    failed = [c for c in result.cases if c.verdict == "fail"]
    assert any(c.edge for c in failed) and any(not c.edge for c in failed)
    lined = [c for c in result.cases if c.line]
    assert len(lined) == 1 and not lined[0].edge
    assert lined[0].line["line"] == _bug_line(name), lined[0].line["text"]


def test_a_long_batch_is_traced_on_its_first_samples_first():
    """The tracer runs Python on every line: a loop over samples is traced on a few samples
    first (at least 3, not a layer's width), and on the case as it is when no line shows."""
    from crosscheck.api import _trace_plan
    from crosscheck.engine.check import CaseResult

    case = _case((3, 4, 2), ("tanh", "identity"), batch=12)
    plan = _trace_plan(CaseResult(index=0, case_seed=(0, 0), case=case, subject="s",
                                  oracles=["torch"]))
    assert [c.X.shape[0] for c, _ in plan] == [5, 12]  # 3 and 4 are widths of this network
    assert np.array_equal(plan[0][0].X, case.X[:5]) and np.array_equal(plan[0][0].Y, case.Y[:5])
    small = _case((3, 4, 2), ("tanh", "identity"), batch=5)
    assert [c.X.shape[0] for c, _ in _trace_plan(CaseResult(
        index=0, case_seed=(0, 0), case=small, subject="s", oracles=["torch"]))] == [5]


def test_the_whole_batch_is_traced_only_when_nothing_departed_on_the_first_samples():
    from crosscheck.api import _settled
    from crosscheck.locate.match import ALL_MATCHED

    assert _settled({"status": "found", "text": "x.py:3 ..."})
    assert not _settled({"status": "unmatched", "reason": ALL_MATCHED + ": ...", "text": ""})
    assert _settled({"status": "unmatched", "reason": "no line's arrays could be matched to "
                     "dL/dz1 (layer 1): ...", "text": ""})  # the whole batch would not either
    assert _settled(None)  # the traced call did not come back: it would not on the whole batch


def test_an_update_mode_step_is_traced_at_one_rate():
    """The tracer runs on every line: the step is traced once (at lr), not again at 2 lr as
    the check takes it; a departure needs one step."""
    case = _case((3, 4, 2), ("tanh", "identity"))
    target = f"{HERE / 'sgd_step_update.py'}:sgd_step"
    with SubjectWorker(target, mode="update", lr=0.1) as worker:
        worker.load()
        records, _ = worker.trace(case.params, case.X, case.Y, case.spec)
    outermost = {r.frame for r in records if not r.callers}
    assert len(outermost) == 1
