"""Edge networks (``--edge-networks on|off``, ``edge_networks=``) and what a failure on one
says: a correct gradient with a textbook loss that overflows only there is told plainly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import crosscheck
from crosscheck.api import options_for
from crosscheck.cli.main import main
from crosscheck.diagnosis.record import trace
from crosscheck.engine.campaign import edged_case_for
from crosscheck.errors import UsageError
from crosscheck.options import reproduce_line

SUBJECTS = Path(__file__).parent / "subjects"
TEXTBOOK = str(SUBJECTS / "textbook_log_loss.py") + ":loss_and_grads"
# a campaign where network 4 is the large-logits edge and the textbook loss overflows there
QUICK = ["--oracles", "torch,fd", "--loss", "softmax_cross_entropy", "--targets", "onehot",
         "--networks", "5", "--seed", "2", "--shrink", "0"]


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
