"""The CNN contract's validation and the random CNNs: every bad input is a one-line error
naming what is wrong, and the sampler draws small networks across the whole space."""

from __future__ import annotations

import numpy as np
import pytest
from crosscheck.reference import CNNSpec, check_cnn_inputs, cnn_loss_and_grads, init_cnn_params
from crosscheck.reference.cnn_sampling import MAX_PARAMS, random_cnn_case
from crosscheck.reference.cnn_spec import (
    Affine,
    AvgPool,
    BatchNorm,
    Conv,
    Dropout,
    MaxPool,
    ReLU,
    dropout_mask,
)

SPEC = CNNSpec(input_shape=(3, 8, 8),
               layers=(Conv(4, 3, stride=1, pad=1), BatchNorm(), ReLU(), MaxPool(2, 2),
                       Dropout(0.8, seed=3), Affine(5), ReLU(), Affine(3)),
               loss="svm", l2=0.1)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: CNNSpec((3, 8), (Affine(3),)), r"input_shape must be \(C, H, W\)"),
        (lambda: CNNSpec((3, 0, 8), (Affine(3),)), "input_shape: every side must be an int >= 1"),
        (lambda: CNNSpec((3, 8, 8), ()), "layers must be a non-empty sequence"),
        (lambda: CNNSpec((3, 8, 8), ("relu", Affine(3))), "layers\\[0\\] is 'relu', not a layer"),
        (lambda: CNNSpec((3, 8, 8), (Conv(4, 3),)), "layers\\[0\\] must be an affine layer"),
        (lambda: CNNSpec((3, 8, 8), (Conv(4, 3), Affine(1))), "at least 2 units"),
        (lambda: CNNSpec((3, 8, 8), (Affine(4), MaxPool(2, 2), Affine(2))),
         r"layers\[1\] \(max_pool\) needs a \(C, H, W\) input"),
        (lambda: CNNSpec((3, 2, 2), (Conv(2, 5), Affine(2))),
         r"layers\[0\] \(conv\): kernel 5 does not fit the input side 2"),
        (lambda: CNNSpec((3, 4, 4), (MaxPool(2, 2), MaxPool(3, 1), Affine(2))),
         r"layers\[1\] \(max_pool\): window 3 does not fit"),
        (lambda: CNNSpec((3, 8, 8), (Affine(3),), loss="mse"), "unknown loss 'mse'"),
        (lambda: CNNSpec((3, 8, 8), (Affine(3),), l2=-1), "l2 must be finite and >= 0"),
        (lambda: CNNSpec((3, 8, 8), (Affine(3),), l2="0"), "l2 must be a number"),
        (lambda: Conv(0, 3), "conv: filters must be an int >= 1"),
        (lambda: Conv(2, 3, pad=-1), "conv: pad must be an int >= 0"),
        (lambda: MaxPool(2, 0), "max_pool: stride must be an int >= 1"),
        (lambda: AvgPool(True, 1), "avg_pool: size must be an int >= 1"),
        (lambda: Dropout(1.5, 0), r"dropout: p \(the keep probability\) must be in \(0, 1\]"),
        (lambda: Dropout(0.5, -1), "dropout: seed must be an int >= 0"),
        (lambda: BatchNorm(eps=0), "batchnorm: eps must be > 0"),
        (lambda: Affine(2.5), "affine: units must be an int >= 1"),
    ],
)
def test_bad_cnn_spec_is_a_clear_value_error(build, message):
    with pytest.raises(ValueError, match=message) as info:
        build()
    assert "\n" not in str(info.value)


def test_cnn_spec_names_shapes_and_describes():
    assert SPEC.shapes() == ((4, 8, 8), (4, 8, 8), (4, 8, 8), (4, 4, 4), (4, 4, 4), (5,), (5,),
                             (3,))
    assert SPEC.param_shapes() == {"W1": (4, 3, 3, 3), "b1": (4,), "gamma2": (4,), "beta2": (4,),
                                   "W3": (64, 5), "b3": (5,), "W4": (5, 3), "b4": (3,)}
    assert SPEC.param_names() == tuple(SPEC.param_shapes())
    assert SPEC.weight_names() == ("W1", "W3", "W4")
    assert SPEC.n_classes == 3 and SPEC.depth == 4
    assert SPEC.describe() == ("3x8x8 conv(4,3x3,s1,p1)-bn-relu-max(2,s2)-drop(0.8)-affine(5)-"
                               "relu-affine(3) svm l2=0.1")
    assert CNNSpec.from_dict(SPEC.to_dict()) == SPEC
    assert hash(CNNSpec.from_dict(SPEC.to_dict())) == hash(SPEC)
    assert SPEC.to_dict()["architecture"] == "cnn"


def _inputs(batch=2, spec=SPEC):
    rng = np.random.default_rng(0)
    return (init_cnn_params(spec, rng), rng.normal(size=(batch, *spec.input_shape)),
            rng.integers(0, spec.n_classes, size=batch))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p, X, Y: ({k: v for k, v in p.items() if k != "beta2"}, X, Y), r"missing \['beta2'\]"),
        (lambda p, X, Y: ({**p, "W1": p["W1"][:, :2]}, X, Y), r"W1 has shape \(4, 2, 3, 3\)"),
        (lambda p, X, Y: ({**p, "b1": p["b1"].astype(np.float32)}, X, Y), "b1 must be float64"),
        (lambda p, X, Y: (p, X[:, :, :7], Y), r"X has shape \(2, 3, 7, 8\), expected \(batch, 3, 8, 8\)"),
        (lambda p, X, Y: (p, X, Y.astype(float)), "Y must be int class labels"),
        (lambda p, X, Y: (p, X, Y[:1]), "X has batch 2 but Y has batch 1"),
        (lambda p, X, Y: (p, X, Y + 3), r"labels outside \[0, 3\)"),
    ],
)
def test_bad_cnn_inputs_name_what_is_wrong(mutate, message):
    params, X, Y = mutate(*_inputs())
    with pytest.raises((ValueError, TypeError), match=message):
        check_cnn_inputs(params, X, Y, SPEC)


def test_batchnorm_with_one_value_per_channel_is_refused():
    spec = CNNSpec((2, 3, 3), (Affine(4), BatchNorm(), ReLU(), Affine(2)))
    params, X, Y = _inputs(batch=1, spec=spec)
    with pytest.raises(ValueError, match=r"layers\[1\] \(batchnorm\) sees 1 value per channel"):
        cnn_loss_and_grads(params, X, Y, spec)


def test_the_reference_leaves_its_inputs_alone():
    params, X, Y = _inputs()
    before = ({k: v.copy() for k, v in params.items()}, X.copy(), Y.copy())
    loss, grads = cnn_loss_and_grads(params, X, Y, SPEC)
    assert isinstance(loss, float) and list(grads) == list(SPEC.param_names())
    assert all(np.array_equal(before[0][k], params[k]) for k in params)
    assert np.array_equal(before[1], X) and np.array_equal(before[2], Y)


def test_dropout_mask_is_the_cs231n_one():
    from crosscheck.reference.cnn_layers import dropout_forward

    x = np.ones((2, 3, 4, 4))
    out, _ = dropout_forward(x, {"p": 0.7, "seed": 11, "mode": "train"})
    assert np.array_equal(out, dropout_mask(x.shape, 0.7, 11))


def test_random_cnns_cover_the_space_and_stay_small():
    cases = [random_cnn_case(np.random.default_rng([5, i])) for i in range(400)]
    kinds = {layer.kind for c in cases for layer in c.spec.layers}
    assert kinds == {"conv", "relu", "max_pool", "avg_pool", "batchnorm", "dropout", "affine"}
    convs = [x for c in cases for x in c.spec.layers if x.kind == "conv"]
    assert {x.stride for x in convs} == {1, 2} and {x.pad for x in convs} == {0, 1, 2}
    assert {x.kernel for x in convs} == {1, 2, 3}
    assert {c.spec.loss for c in cases} == {"softmax_cross_entropy", "svm"}
    assert {c.batch for c in cases} == {1, 2, 3, 4}
    assert any(c.spec.input_shape[1] % 2 for c in cases) and any(c.spec.l2 == 0 for c in cases)
    assert any(sum(x.kind == "conv" for x in c.spec.layers) == 2 for c in cases)
    assert max(sum(int(np.prod(s)) for s in c.spec.param_shapes().values()) for c in cases) < MAX_PARAMS
    again = random_cnn_case(np.random.default_rng([5, 7]))
    assert again.spec == cases[7].spec and np.array_equal(again.X, cases[7].X)
