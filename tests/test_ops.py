"""The operation records (reference/ops.py): each activation's and loss's reference, numerical
forward, framework ops and reproduction text agree with each other; the public name lists are
derived from them; random networks draw only the default ones."""

from __future__ import annotations

import math

import numpy as np
import pytest
from crosscheck.reference import (
    ACTIVATION_OPS,
    ACTIVATIONS,
    DEFAULT_ACTIVATIONS,
    DEFAULT_LOSSES,
    LABEL_LOSSES,
    LOGIT_LOSSES,
    LOSS_OPS,
    LOSSES,
    random_spec,
)

OPS = list(ACTIVATION_OPS.values())
IDS = [op.name for op in OPS]

# Points to evaluate at: both signs, small and large, a saturating one; none within 1e-3 of
# a kink (a central difference there measures a chord).
Z = np.array([[-30.0, -4.1, -1.3, -0.2, -0.004], [0.003, 0.4, 1.7, 5.2, 30.0]])

# Values worked out by hand (or with a calculator from the formula), so a record that
# computes the wrong function fails even where all its parts agree with each other.
KNOWN = {
    "identity": [(-2.0, -2.0), (0.5, 0.5)],
    "sigmoid": [(0.0, 0.5), (math.log(3.0), 0.75)],
    "tanh": [(0.0, 0.0), (math.atanh(0.6), 0.6)],
    "relu": [(-2.0, 0.0), (0.0, 0.0), (1.5, 1.5)],
    "softplus": [(0.0, math.log(2.0)), (math.log(3.0), math.log(4.0)), (-math.log(3.0), math.log(4.0 / 3.0))],
    "leaky_relu": [(-2.0, -0.02), (0.0, 0.0), (3.0, 3.0)],
    "elu": [(-math.log(2.0), -0.5), (0.0, 0.0), (2.0, 2.0)],
    "gelu": [(0.0, 0.0), (1.0, 0.8411919906082768), (-1.0, 0.8411919906082768 - 1.0)],
}


def test_the_public_lists_are_the_records():
    assert ACTIVATIONS == tuple(ACTIVATION_OPS) and LOSSES == tuple(LOSS_OPS)
    assert LOGIT_LOSSES == ("softmax_cross_entropy", "sigmoid_bce")
    assert LABEL_LOSSES == ("softmax_cross_entropy",)


def test_random_networks_draw_the_same_activations_and_losses_as_before():
    """Same seed, same networks: a record added later is drawn only when named."""
    assert DEFAULT_ACTIVATIONS == ("identity", "sigmoid", "tanh", "relu")
    assert DEFAULT_LOSSES == ("mse", "softmax_cross_entropy", "sigmoid_bce")
    drawn = {a for seed in range(300)
             for a in random_spec(np.random.default_rng(seed)).activations}
    assert drawn == set(DEFAULT_ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_values(name):
    op = ACTIVATION_OPS[name]
    for z, a in KNOWN[name]:
        assert float(op.forward(np.array([z]))[0]) == pytest.approx(a, rel=1e-12, abs=1e-15)


def test_every_activation_has_known_values():
    assert set(KNOWN) == set(ACTIVATIONS)


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_backward_is_the_derivative_of_forward(op):
    h = 1e-6
    a = op.forward(Z)
    numerical = (op.forward(Z + h) - op.forward(Z - h)) / (2 * h)
    da = np.linspace(-1.5, 2.0, Z.size).reshape(Z.shape)
    dz = op.backward(da, Z, a)
    assert np.allclose(dz, da * numerical, rtol=1e-7, atol=1e-9)
    assert np.allclose(op.backward(np.ones_like(Z), Z, a), numerical, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_backward_never_writes_into_its_arguments(op):
    z, da = Z.copy(), np.ones_like(Z)
    a = op.forward(z)
    a_before = a.copy()
    op.backward(da, z, a)
    assert np.array_equal(z, Z) and np.all(da == 1.0) and np.array_equal(a, a_before)


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_numeric_forward_agrees_with_the_reference(op):
    assert np.allclose(op.numeric(Z), op.forward(Z), rtol=1e-13, atol=1e-15)
    P = np.stack([Z, -Z, 2 * Z])  # a leading axis of perturbations, as fd uses it
    assert np.allclose(op.numeric(P), op.forward(P), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("op", [op for op in OPS if op.analytic],
                         ids=[op.name for op in OPS if op.analytic])
def test_analytic_numeric_forward_carries_a_complex_step(op):
    """Im f(z + ih) / h is f'(z) to rounding: the complex-step oracle's premise."""
    h = 1e-30
    derivative = op.numeric(Z + 1j * h).imag / h
    assert np.allclose(derivative, op.backward(np.ones_like(Z), Z, op.forward(Z)),
                       rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_kinks_are_where_the_derivative_jumps(op):
    """On each side of a declared kink the derivative differs; elsewhere it is continuous."""
    deriv = lambda z: op.backward(np.ones(1), np.array([z]), op.forward(np.array([z])))[0]  # noqa: E731
    for k in op.kinks:
        assert abs(deriv(k - 1e-9) - deriv(k + 1e-9)) > 1e-3
        assert op.crossed(np.array([k + 1e-9]), np.array([k - 1e-9])).all()
        assert op.near_kink(np.array([k + 1e-9]), 1e-8).all()
    grid = np.linspace(-3, 3, 6001)
    jumps = np.abs(np.diff(op.backward(np.ones_like(grid), grid, op.forward(grid))))
    smooth = ~np.any([np.abs(grid[1:] - k) <= 1e-3 for k in op.kinks], axis=0) \
        if op.kinks else np.ones(grid.size - 1, bool)
    assert jumps[smooth].max() < 1e-2
    assert not op.crossed(np.array([5.0]), np.array([4.0])).any()


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_torch_op_and_repro_text_agree_with_the_reference(op):
    import torch

    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    a = op.torch_op(torch, z)
    assert np.allclose(a.detach().numpy(), op.forward(Z), rtol=1e-13, atol=1e-15)
    (dz,) = torch.autograd.grad(a.sum(), z)
    assert np.allclose(dz.numpy(), op.backward(np.ones_like(Z), Z, op.forward(Z)),
                       rtol=1e-12, atol=1e-15)
    script = eval(f"lambda z: {op.repro}", {"torch": torch})  # how a repro script writes it
    assert np.array_equal(script(z).detach().numpy(), a.detach().numpy())


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_tf_op_agrees_with_the_reference(op):
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    z = tf.constant(Z, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        a = op.tf_op(tf, z)
    assert a.dtype == tf.float64
    assert np.allclose(a.numpy(), op.forward(Z), rtol=1e-13, atol=1e-15)
    dz = tape.gradient(a, z).numpy()
    assert np.allclose(dz, op.backward(np.ones_like(Z), Z, op.forward(Z)), rtol=1e-12,
                       atol=1e-15)


# ---- losses ---------------------------------------------------------------------------------

LOSS_IDS = list(LOSS_OPS)


def _targets(op, rng, labels=False):
    out = rng.normal(size=(5, 3)) * 3
    if labels:
        return out, rng.integers(0, 3, size=5).astype(np.int64)
    Y = rng.dirichlet(np.ones(3), size=5) if op.logits else rng.normal(size=(5, 3))
    return out, Y


def _cases(op):
    rng = np.random.default_rng(4)
    yield _targets(op, rng)
    if op.labels:
        yield _targets(op, rng, labels=True)


@pytest.mark.parametrize("name", LOSS_IDS)
def test_loss_grad_is_the_derivative_of_its_value(name):
    op = LOSS_OPS[name]
    h = 1e-6
    for out, Y in _cases(op):
        g = op.grad(out, Y)
        for idx in np.ndindex(out.shape):
            e = np.zeros_like(out)
            e[idx] = h
            assert (op.value(out + e, Y) - op.value(out - e, Y)) / (2 * h) == \
                pytest.approx(g[idx], rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name", LOSS_IDS)
def test_loss_numeric_and_frameworks_agree_with_the_reference(name):
    import os

    import torch

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    op = LOSS_OPS[name]
    for out, Y in _cases(op):
        value = op.value(out, Y)
        rows = np.eye(3)[Y] if Y.ndim == 1 else Y
        P = np.stack([out, out + 0.1])
        numeric = op.numeric(P, rows, P.max(axis=-1, keepdims=True)[0])
        assert numeric[0] == pytest.approx(value, rel=1e-13)
        assert numeric[1] == pytest.approx(op.value(out + 0.1, Y), rel=1e-12)
        t_out = torch.tensor(out, dtype=torch.float64, requires_grad=True)
        t_y = torch.tensor(Y, dtype=torch.int64 if Y.ndim == 1 else torch.float64)
        t_loss = op.torch_op(torch, t_out, t_y)
        assert float(t_loss.detach()) == pytest.approx(value, rel=1e-13)
        (g,) = torch.autograd.grad(t_loss, t_out)
        assert np.allclose(g.numpy(), op.grad(out, Y), rtol=1e-12, atol=1e-15)
        script = eval(op.repro, {"torch": torch, "a": t_out, "y": t_y})  # as a repro script writes it
        assert float(script.detach()) == pytest.approx(value, rel=1e-13)
        tf_y = tf.constant(Y, dtype=tf.int64 if Y.ndim == 1 else tf.float64)
        assert float(op.tf_op(tf, tf.constant(out, dtype=tf.float64), tf_y)) == \
            pytest.approx(value, rel=1e-13)
