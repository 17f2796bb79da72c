"""verify-layer's consistency check, cheap first (crosscheck/layers/directional.py): the
user's forward differenced along a few random directions, element by element only for a case
that fails, to say which elements are wrong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from crosscheck.oracles.torch_layers import torch_layer
from crosscheck.reference import cnn_layers as R

from crosscheck.layers.check import case_shapes, check_layer, in_process, prepare
from crosscheck.layers.directional import (
    DIRECTIONAL,
    DIRECTIONS,
    PER_ELEMENT,
    consistency,
    directions,
)
from crosscheck.layers.kinds import KINDS, call, numerical_grads
from crosscheck.layers.pitfalls import LAYER_PITFALLS
from crosscheck.layers.verify import run_layer

SUBJECT = Path(__file__).parent / "subjects" / "conv_counted.py"
CASES = 20


def _one_wrong(dout, cache):
    dx, dw, db = R.conv_backward(dout, cache)
    dw = dw.copy()
    dw.flat[-1] += 1.0  # one element of dw wrong, every other one right
    return dx, dw, db


def _consistency_along_directions(backward, shape):
    kind = KINDS["conv"]
    data = prepare(shape)
    _, grads, _ = call(kind, R.conv_forward, backward, data.arrays, data.extra, data.dout)
    num = numerical_grads(kind, R.conv_forward, data.arrays, data.extra, data.dout,
                          how=DIRECTIONAL)
    return grads, num, consistency(kind.inputs, grads, num, "me")


def test_directions_are_unit_and_the_same_on_both_sides():
    u = directions(1, (2, 3, 4))
    assert u.shape == (DIRECTIONS, 2, 3, 4)
    assert np.allclose(np.linalg.norm(u.reshape(DIRECTIONS, -1), axis=1), 1.0)
    assert np.array_equal(u, directions(1, (2, 3, 4)))
    assert not np.allclose(u, directions(0, (2, 3, 4)))  # each input has its own


@pytest.mark.parametrize("shape", case_shapes("conv", CASES, 0), ids=lambda s: str(s.dims))
def test_the_directional_check_alone_catches_one_wrong_element_of_dw(shape):
    """Along directions only, no per-element check: the right pair passes, the pair with one
    wrong element of dw fails on dw and on nothing else."""
    grads, num, found = _consistency_along_directions(R.conv_backward, shape)
    assert found == []
    for k, g in grads.items():  # taken along the directions unless at most DIRECTIONS elements
        assert (f"{k}.u" in num) == (g.size > DIRECTIONS), (k, g.shape, sorted(num))
    _, _, found = _consistency_along_directions(_one_wrong, shape)
    assert [(part, t) for part, t, _ in found] == [("consistency", "dw")], found


def test_per_element_is_still_there_to_explain():
    shape = case_shapes("conv", CASES, 0)[1]
    data = prepare(shape)
    num = numerical_grads(KINDS["conv"], R.conv_forward, data.arrays, data.extra, data.dout,
                          how=PER_ELEMENT)
    assert set(num) == {"x", "w", "b"}  # small tensors: element by element


def _calls(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_verify_layer_calls_the_forward_a_few_times_per_case(tmp_path, monkeypatch):
    """A right pair, checked in the worker on 20 cases: one call of the forward per case plus
    two per direction per tensor, not two per element (the per-element check of these 20
    cases calls it thousands of times)."""
    log = tmp_path / "calls.txt"
    monkeypatch.setenv("CROSSCHECK_CALL_LOG", str(log))
    result = run_layer("conv", f"{SUBJECT}:conv_forward", f"{SUBJECT}:conv_backward", "counted",
                       cases=CASES, seed=0)
    assert result.passed, str(result)
    assert result.result.isolation_off == ""  # in the worker, as verify-layer runs it
    per_case = 1 + len(KINDS["conv"].inputs) * 2 * DIRECTIONS
    assert CASES <= _calls(log) <= CASES * per_case, _calls(log)


def test_a_failing_case_is_explained_element_by_element(tmp_path, monkeypatch):
    """One wrong element of dw: every case fails, and the finding names that element of dw
    (the per-element check of the failing case), not a direction."""
    log = tmp_path / "calls.txt"
    monkeypatch.setenv("CROSSCHECK_CALL_LOG", str(log))
    result = run_layer("conv", f"{SUBJECT}:conv_forward", f"{SUBJECT}:conv_backward_one_wrong",
                       "one-wrong", cases=4, seed=0, shrink=0)
    assert not result.passed
    assert "dw differ from the frameworks' autograd and from finite differences of your own " \
           "forward" in result.conclusion
    for case in result.cases:
        w = prepare(case.shape).arrays["w"]
        last = ", ".join(str(int(i)) for i in np.unravel_index(w.size - 1, w.shape))
        found = {(part, t): m for part, t, m in case.findings}
        assert set(found) == {("backward", "dw"), ("consistency", "dw")}, case.findings
        assert found[("consistency", "dw")].startswith(f"dw[{last}]:"), found
    elements = sum(int(np.prod(v.shape)) for c in result.cases
                   for v in prepare(c.shape).arrays.values())
    assert _calls(log) >= 2 * elements  # the per-element check ran on the failing cases


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("pid", sorted(LAYER_PITFALLS))
def test_every_failing_case_is_told_as_the_per_element_check_tells_it(pid):
    """Each catalogued layer bug on 20 cases: the findings of every case, and the conclusion,
    are those of the per-element check on every case (the default before the directional
    one). batchnorm-eps-outside-sqrt needs the per-element check on the cases that fail only
    against the frameworks: its backward is off its own forward by about 1e-5 relative,
    which the directional bound lets pass on some cases."""
    p = LAYER_PITFALLS[pid]
    pair = in_process(p.kind, p.forward, p.backward)

    def per_element(arrays, extra, dout, numerical, forward_only=False):
        return pair(arrays, extra, dout, numerical and PER_ELEMENT, forward_only)

    results = [check_layer(p.kind, call_pair, label="me", cases=CASES, seed=0,
                           oracles={"torch": torch_layer})
               for call_pair in (pair, per_element)]
    assert [c.findings for c in results[0].cases] == [c.findings for c in results[1].cases]
    assert results[0].conclusion == results[1].conclusion
