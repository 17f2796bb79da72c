"""One record per layer kind (oracles/layer_kinds.py): every record has every field, and the
framework op tables are the records' ops, not lists of their own."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from crosscheck.oracles import layer_kinds, tf_layers, torch_layers
from crosscheck.oracles.layer_kinds import KINDS, KINKS, LayerKind
from crosscheck.reference import cnn_layers as R

from crosscheck.layers import kinds as layers_kinds

NAMES = ("affine", "relu", "leaky_relu", "sigmoid", "tanh", "softmax_loss", "svm_loss",
         "batchnorm", "layernorm", "dropout", "conv", "max_pool", "avg_pool", "rnn_step",
         "word_embedding")


def missing(kind: LayerKind) -> list[str]:
    """The fields of ``kind`` that are not filled in."""
    gaps = []
    for f in dataclasses.fields(kind):
        value = getattr(kind, f.name)
        if f.name == "reference_backward":
            if (value is None) != kind.loss:  # exactly the loss kinds have no backward
                gaps.append(f.name)
        elif f.name in ("reference", "args", "torch", "tf"):
            if not callable(value):
                gaps.append(f.name)
        elif f.name == "kinks":
            if value not in KINKS:
                gaps.append(f.name)
        elif f.name == "subgradient":  # exactly the kinds with a kink know its conventions
            if (value is None) != (kind.kinks == ""):
                gaps.append(f.name)
        elif f.name == "inputs":
            if not (isinstance(value, tuple) and value and all(isinstance(v, str) for v in value)):
                gaps.append(f.name)
        elif value is None:
            gaps.append(f.name)
    return gaps


def test_the_fifteen_kinds_are_declared_once():
    assert sorted(KINDS) == sorted(NAMES)
    assert layers_kinds.KINDS is KINDS and layers_kinds.LayerKind is LayerKind
    assert all(name == k.name for name, k in KINDS.items())


@pytest.mark.parametrize("name", NAMES)
def test_every_record_has_every_field(name):
    assert missing(KINDS[name]) == []


def test_a_record_without_its_tf_op_is_caught():
    broken = dataclasses.replace(KINDS["conv"], tf=None)
    assert missing(broken) == ["tf"]
    assert missing(dataclasses.replace(KINDS["softmax_loss"], reference_backward=R.relu_backward)) \
        == ["reference_backward"]
    assert missing(dataclasses.replace(KINDS["relu"], kinks="somewhere")) == ["kinks"]


@pytest.mark.parametrize("module", [torch_layers, tf_layers], ids=["torch", "tensorflow"])
def test_each_framework_op_belongs_to_its_record(module):
    """The op bodies are named after their kinds and each is held by that kind's record:
    an op no record holds (a kind added to one framework only) fails here."""
    field = "torch" if module is torch_layers else "tf"
    ops = {n for n, v in vars(module).items()
           if callable(v) and not n.startswith("_") and not inspect.isclass(v)
           and n not in module.__all__ and n not in ("annotations",)}
    assert ops == set(KINDS)
    for name in ops:
        assert getattr(KINDS[name], field) is getattr(module, name)


def test_reference_pairs_are_the_reference_layers():
    for name, kind in KINDS.items():
        if kind.loss:
            assert kind.pair == (getattr(R, name), None)
        else:
            assert kind.pair == (getattr(R, f"{name}_forward"), getattr(R, f"{name}_backward"))


def test_kinks_are_where_the_forward_is_not_differentiable():
    kinked = {name: k.kinks for name, k in KINDS.items() if k.kinks}
    assert kinked == {"relu": "zeros", "leaky_relu": "zeros", "max_pool": "ties"}


def test_the_records_import_no_framework():
    import subprocess
    import sys

    code = ("import sys, crosscheck.oracles.layer_kinds, crosscheck.layers.check; "
            "print('torch' in sys.modules or 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert layer_kinds.__name__ == "crosscheck.oracles.layer_kinds"
