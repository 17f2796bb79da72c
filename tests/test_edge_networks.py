"""Edge networks (``--edge-networks on|off``, ``edge_networks=``) and what a failure on one
says: a correct gradient with a textbook loss that overflows only there is told plainly."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from crosscheck.oracles import get_oracle

import crosscheck
from crosscheck.api import options_for
from crosscheck.cli.main import main
from crosscheck.diagnosis.conclude import loss_only
from crosscheck.diagnosis.record import trace
from crosscheck.engine.campaign import edged_case_for
from crosscheck.engine.check import check_case
from crosscheck.errors import UsageError
from crosscheck.options import reproduce_line

SUBJECTS = Path(__file__).parent / "subjects"
TEXTBOOK = str(SUBJECTS / "textbook_log_loss.py") + ":loss_and_grads"
# a campaign where network 4 is the large-logits edge and the textbook loss overflows there
QUICK = ["--oracles", "torch,fd", "--loss", "softmax_cross_entropy", "--targets", "onehot",
         "--networks", "5", "--seed", "2", "--shrink", "0"]


def _textbook():
    spec = importlib.util.spec_from_file_location("textbook_log_loss",
                                                  SUBJECTS / "textbook_log_loss.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.loss_and_grads


def _verify(capsys, *args: str) -> tuple[int, str]:
    code = main(["verify", TEXTBOOK, *QUICK, *args])
    return code, capsys.readouterr().out


def test_edge_networks_are_on_by_default_and_off_draws_ordinary_networks(capsys):
    on, off = options_for(), options_for(edge_networks=False)
    assert on.edges and not off.edges
    assert [edged_case_for(on, i)[1] for i in range(5)] == ["", "", "", "relu-ties",
                                                             "large-logits"]
    assert [edged_case_for(off, i)[1] for i in range(5)] == [""] * 5
    code, out = _verify(capsys, "--edge-networks", "off")
    assert code == 0 and "5 passed" in out
    code, out = _verify(capsys)
    assert code == 1 and "4 passed, 1 failed" in out


def test_the_switch_is_checked_and_reproduced_in_its_words(capsys):
    with pytest.raises(UsageError, match="edge_networks wants True or False, got 'off'"):
        crosscheck.verify(lambda p, X, Y, s: None, edge_networks="off")
    assert reproduce_line("f.py:g", {"edge_networks": False}) == (
        "crosscheck verify f.py:g --edge-networks off")
    with pytest.raises(SystemExit):
        main(["verify", TEXTBOOK, "--edge-networks", "no"])
    assert "--edge-networks wants on or off, got 'no'" in capsys.readouterr().err


PLAIN = ("the gradients are right on every network; only the loss fails, on the edge network "
         "with logits near 6,700: it overflows to inf or NaN")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_loss_that_overflows_only_on_an_edge_network_is_said_plainly(capsys, tmp_path):
    """Correct gradients, a textbook ``-log(p[range(n), y])`` loss: the summary, report.md
    and the API's AssertionError say that only the loss fails, and where, not "1 of 5
    networks disagree"."""
    code, out = _verify(capsys, "--report", str(tmp_path / "r"))
    assert code == 1 and PLAIN in _one_line(out) and "networks disagree" not in out
    assert PLAIN in _one_line((tmp_path / "r" / "report.md").read_text())
    with pytest.raises(AssertionError) as info:
        crosscheck.assert_backprop(_textbook(), oracles=("torch", "fd"), networks=5, seed=2,
                                   loss="softmax_cross_entropy", targets="onehot", shrink=0)
    assert PLAIN in _one_line(str(info.value))


def test_a_gradient_that_fails_too_keeps_the_count_of_networks():
    case, edge = edged_case_for(options_for(seed=2, loss="softmax_cross_entropy",
                                            targets="onehot"), 4)
    assert edge == "large-logits" and round(float(np.abs(trace(case).z[-1]).max())) == 6666
    oracles = [get_oracle("torch"), get_oracle("fd")]

    textbook = _textbook()

    def wrong_bias(params, X, Y, spec):
        loss, grads = textbook(params, X, Y, spec)
        return loss, {**grads, "b1": 2 * grads["b1"]}

    right = replace(check_case(case, textbook, oracles, subject="s", index=4), edge=edge)
    wrong = replace(check_case(case, wrong_bias, oracles, subject="s", index=4), edge=edge)
    assert loss_only([right], "s").startswith(
        "the gradients are right on every network; only the loss fails, on the edge network")
    assert wrong.verdict == "fail" and loss_only([wrong], "s") == ""


def test_an_id_seen_only_where_the_values_overflow_is_not_named_over_unexplained_networks(capsys):
    """An uncatalogued bug on every network plus a raw softmax that overflows on the edge
    network: there a softmax-unstable replay matches the NaN, which the overflow alone can do,
    so the conclusion names no bug (the corpus's wrong lead) and says what that replay showed."""
    code = main(["verify", str(SUBJECTS / "tanh_slope_unstable_softmax.py") + ":loss_and_grads",
                 *QUICK, "--hidden-activations", "tanh"])
    captured = capsys.readouterr()
    conclusion = captured.out.split("conclusion: ", 1)[1].split("\n  FAIL", 1)[0]
    assert code == 1
    assert "No catalogued bug explains 4 of the 5 diagnosed network(s)" in " ".join(conclusion.split())
    assert "whose values overflow to NaN/Inf, softmax-unstable reproduces them" in " ".join(
        conclusion.split())
    assert "Explained by" not in conclusion
    assert "RuntimeWarning" not in captured.err
