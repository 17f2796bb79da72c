"""Finding the line for layer pairs (``verify-layer``) and CNNs (``verify --cnn``), issue 20:
the pair is traced in the worker on a failing case and what its lines bind is matched
against the reference layer's intermediates (crosscheck/locate/layer_nodes.py). Each subject
in tests/findline_subjects/layers marks its bug with ``# BUG``; the line found must be that
one, and a correct pair gets no line."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from crosscheck.engine.campaign import CampaignOptions, case_for
from crosscheck.layers.check import case_shapes, prepare
from crosscheck.layers.verify import run_layer
from crosscheck.locate import find_layer_line, find_line
from crosscheck.subject.worker import SubjectWorker

HERE = Path(__file__).resolve().parent
LAYERS = HERE / "findline_subjects" / "layers"
CNN = HERE / "cnn_corpus"


def _bug_line(path: Path) -> int:
    return next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "# BUG" in t)


def _case(kind: str, index: int = 2):
    """(arrays, extra, dout) of case ``index`` of the check's cases for ``kind`` (seed 0;
    the third: the first two are at the least dimensions); max pooling on 2 x 2 windows."""
    if kind == "max_pool":
        rng = np.random.default_rng(5)
        return ({"x": rng.normal(size=(2, 2, 4, 4))},
                {"param": {"pool_height": 2, "pool_width": 2, "stride": 2}},
                rng.normal(size=(2, 2, 2, 2)))
    data = prepare(case_shapes(kind, index + 1, 0)[index])
    return data.arrays, data.extra, data.dout


def _layer_line(name: str, kind: str) -> dict:
    """The line found in the pair of file ``name`` on a case of ``kind``."""
    path = LAYERS / name
    targets = (f"{path}:{kind}_forward", f"{path}:{kind}_backward")
    with SubjectWorker(targets[0], layer=(kind, *targets)) as worker:
        worker.load()
        return find_layer_line(worker, kind, *_case(kind))


@pytest.mark.parametrize("name, kind, should, fact", [
    ("affine_dw_transposed.py", "affine", "dL/dw", "it holds dL/dw transposed"),
    ("sigmoid_sign.py", "sigmoid", "dL/dx", ""),
    ("tanh_no_dout.py", "tanh", "dL/dx", ""),
    ("leaky_relu_negative_slope.py", "leaky_relu", "dL/dx", "only where x <= 0"),
    ("conv_flipped.py", "conv", "dL/dw", ""),
    ("max_pool_wrong_index.py", "max_pool", "dL/dx", ""),
])
def test_the_line_found_in_a_layer_pair_is_the_buggy_one(name, kind, should, fact):
    found = _layer_line(name, kind)
    assert found["status"] == "found", found
    assert (Path(found["file"]).name, found["line"]) == (name, _bug_line(LAYERS / name)), \
        found["text"]
    assert found["should_equal"] == should
    assert fact in found["detail"]
    assert found["text"].startswith(f"{name}:{_bug_line(LAYERS / name)}  ")


def test_a_correct_layer_pair_gets_no_line():
    found = _layer_line("affine_correct.py", "affine")
    assert found["status"] == "unmatched"
    assert "every intermediate the reference computes was matched" in found["reason"]


def test_verify_layer_shows_the_line_in_the_summary_the_reports_and_the_script(tmp_path):
    path = LAYERS / "conv_flipped.py"
    result = run_layer("conv", f"{path}:conv_forward", f"{path}:conv_backward", "conv_flipped",
                       cases=2, seed=0, shrink=1, report=tmp_path)
    assert not result.passed
    bug = f"conv_flipped.py:{_bug_line(path)}  "
    assert f"first wrong line: {bug}" in str(result)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["schema_version"] == "1.3" and report["line"]["line"] == _bug_line(path)
    assert f"First wrong line: `{bug}" in (tmp_path / "report.md").read_text()
    assert "class='hl'" in (tmp_path / "report.html").read_text()
    script = next(tmp_path.glob("repro_layer_case_*.py")).read_text()
    assert f"WRONG_LINE = ({str(path)!r}, {_bug_line(path)})" in script
    assert f"# {bug}" in script


def test_a_layer_pair_is_not_traced_when_every_case_passes(monkeypatch):
    def traced(*args, **kwargs):
        raise AssertionError("traced although every case passed")

    monkeypatch.setattr(SubjectWorker, "trace_layer", traced)
    path = LAYERS / "affine_correct.py"
    result = run_layer("affine", f"{path}:affine_forward", f"{path}:affine_backward", "ok",
                       cases=3, seed=0, shrink=1)
    assert result.passed and result.result.line is None


def _cnn_line(file: str, l2: float = 0.0) -> dict:
    options = CampaignOptions(architecture="cnn", networks=1, seed=0,
                              cnn="3x6x6 conv(3,3x3,s1,p1)-relu-max(2,s2)-affine(6)-relu-affine(4)"
                                  " softmax_cross_entropy" + (f" l2={l2}" if l2 else ""))
    case = case_for(options, 0)
    with SubjectWorker(f"{CNN / file}:loss_and_grads") as worker:
        worker.load()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return find_line(worker, case)


@pytest.mark.parametrize("file, should, detail", [
    ("buggy/functional_cache_conv_db_batch_mean.py", "dL/db1 (layer 1)",
     "off by a factor 1/batch everywhere"),
    # the scale is carried over two lines: the one that hands it on is named
    ("buggy/im2col_layers_softmax_grad_not_divided_by_batch.py",
     "dL/d(output of layer 6) (affine)", "off by a factor batch everywhere"),
    # the gradient is right flattened, wrong once unflattened channels-last
    ("buggy/einsum_strides_unflatten_channels_last.py", "dL/d(output of layer 3) (maxpool)",
     "elements differ"),
])
def test_the_line_found_in_a_cnn_is_the_buggy_one(file, should, detail):
    truth = next(e for e in json.loads((CNN / "MANIFEST.json").read_text())
                 if e["file"] == file)["bug"]["lines"]
    found = _cnn_line(file)
    assert found["status"] == "found" and found["line"] in truth, found
    assert found["should_equal"] == should
    assert detail in found["detail"]


def test_a_correct_cnn_gets_no_line():
    found = _cnn_line("correct/functional_cache.py", l2=0.3)
    assert found["status"] == "unmatched", found["text"]


def test_what_a_layer_returns_matches_only_in_its_own_shape():
    from crosscheck.engine.tolerances import TOLERANCES
    from crosscheck.locate.layer_nodes import layer_nodes
    from crosscheck.locate.match import _match

    arrays, extra, dout = _case("affine")  # x (3, 5, 3), w (15, 5)
    nodes = {n.key: n for n in layer_nodes("affine", arrays, extra, dout)}
    tol = TOLERANCES["autodiff"]
    dw, dx = nodes["dw"], nodes["dx"]
    assert _match(dw.value, dw, {}, tol).how == ""
    assert _match(dw.value.T.copy(), dw, {}, tol) is None  # the caller reads (15, 5)
    assert _match(dx.value.reshape(3, -1), dx, {}, tol) is None  # returned flattened: wrong
    assert _match(dx.value.reshape(3, -1), nodes["dx rows"], {}, tol).how == ""


def test_verify_cnn_shows_the_line_in_the_summary_the_report_and_the_script(tmp_path):
    from crosscheck.api import run_verify

    file = "buggy/functional_cache_conv_db_batch_mean.py"
    options = CampaignOptions(architecture="cnn", networks=2, seed=0,
                              cnn="3x6x6 conv(3,3x3,s1,p1)-relu-max(2,s2)-affine(6)-relu-affine(4)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = run_verify(f"{CNN / file}:loss_and_grads", file, layout="xw", mode="grads",
                            lr=0.1, timeout=10, options=options, oracles=("torch", "fd"),
                            shrink=1, report=tmp_path)
    assert "first wrong line: functional_cache_conv_db_batch_mean.py:40  " in str(result)
    report = json.loads((tmp_path / "report.json").read_text())
    assert [c["line"]["line"] for c in report["cases"] if c.get("line")] == [40]
    script = "".join(p.read_text() for p in tmp_path.glob("repro*.py"))
    assert f"WRONG_LINE = ({str(CNN / file)!r}, 40)" in script
    assert "# functional_cache_conv_db_batch_mean.py:40  " in script
