"""`crosscheck pitfalls` and `crosscheck explain`: exit codes, the teaching text, the plot."""

from __future__ import annotations

import pytest

from crosscheck.cli.main import main
from crosscheck.diagnosis import CATALOGUE
from crosscheck.layers.pitfalls import LAYER_PITFALLS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _first_suspect(out: str) -> str:
    lines = out.split("Diagnosis (most likely first)")[1].splitlines()
    ranked = [ln.split() for ln in lines if ln.startswith("  0.") or ln.startswith("  1.")]
    return ranked[0][1].rstrip(":")


def test_pitfalls_lists_every_id(capsys):
    assert main(["pitfalls"]) == 0
    out = capsys.readouterr().out
    assert f"{len(CATALOGUE)} pitfalls" in out
    for pid, p in CATALOGUE.items():
        assert pid in out and p.title in out


def test_explain_unknown_id_is_a_usage_error_naming_close_ids(capsys):
    assert main(["explain", "sigmoid-derivative"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "unknown pitfall 'sigmoid-derivative'" in err and "sigmoid-deriv-input" in err


def test_explain_teaches_sigmoid_deriv_input_and_plots(capsys, tmp_path):
    png = tmp_path / "curves.png"
    assert main(["explain", "sigmoid-deriv-input", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    p = CATALOGUE["sigmoid-deriv-input"]
    for text in (p.title, p.buggy_line, p.fixed_line, "The bug", "The fix", "Symptom"):
        assert text in out
    assert "verdict FAIL; blamed: buggy" in out  # the live check fails ...
    assert _first_suspect(out) == "sigmoid-deriv-input"  # ... and names the bug
    assert "loss still went down" in out  # ... while training still makes progress
    data = png.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 5000
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, no leftovers


def test_explain_fd_pitfall_blames_the_oracle(capsys):
    assert main(["explain", "fd-output-alias"]) == 0
    out = capsys.readouterr().out
    assert "verdict FAIL; blamed: fd" in out
    assert _first_suspect(out) == "fd-output-alias"


@pytest.mark.parametrize("bad", ["/nonexistent-dir/x.png"])
def test_explain_bad_plot_path_fails_before_any_work(capsys, bad):
    assert main(["explain", "sign-flip", "--plot", bad]) == 2
    assert "--plot" in capsys.readouterr().err


@pytest.mark.parametrize("pid", sorted(LAYER_PITFALLS))
def test_explain_teaches_each_layer_pitfall_live(capsys, pid):
    p = LAYER_PITFALLS[pid]
    assert main(["explain", pid]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{pid}: {p.title}   (layer {p.kind})")
    assert f"The bug   {p.buggy_line}" in out and f"The fix   {p.fixed_line}" in out
    assert f"explained by {pid} (in" in " ".join(out.split())


def test_pitfalls_lists_the_layer_pitfalls_too(capsys):
    main(["pitfalls"])
    out = capsys.readouterr().out
    assert f"{len(LAYER_PITFALLS)} layer pitfalls" in out
    assert all(pid in out for pid in LAYER_PITFALLS)
