"""Golden values: the classic computational-graph example, and closed-form derivatives."""

from __future__ import annotations

import math

import numpy as np
import pytest
from crosscheck.reference import loss_and_grads
from crosscheck.reference.layers import (
    ACTIVATION_FUNCTIONS,
    add_backward,
    add_forward,
    mul_backward,
    mul_forward,
    sigmoid,
)
from crosscheck.reference.losses import LOSS_FUNCTIONS

from .helpers import ridge_case


def test_apples():
    """2 apples at 100 with 10% tax: price 220; d/d(apple)=2.2, d/d(count)=110, d/d(tax)=200."""
    apple, count, tax = 100.0, 2.0, 1.1
    subtotal = mul_forward(apple, count)
    price = mul_forward(subtotal, tax)
    assert price == pytest.approx(220.0)
    d_subtotal, d_tax = mul_backward(1.0, subtotal, tax)
    d_apple, d_count = mul_backward(d_subtotal, apple, count)
    assert (d_apple, d_count, d_tax) == pytest.approx((2.2, 110.0, 200.0))


def test_apples_and_oranges():
    """Plus 3 oranges at 150: price 715; d/d(apple count)=110, d/d(apple)=2.2,
    d/d(orange)=3.3, d/d(orange count)=165, d/d(tax)=650."""
    apple, n_apple, orange, n_orange, tax = 100.0, 2.0, 150.0, 3.0, 1.1
    a = mul_forward(apple, n_apple)
    o = mul_forward(orange, n_orange)
    total = add_forward(a, o)
    price = mul_forward(total, tax)
    assert price == pytest.approx(715.0)
    d_total, d_tax = mul_backward(1.0, total, tax)
    d_a, d_o = add_backward(d_total)
    d_apple, d_n_apple = mul_backward(d_a, apple, n_apple)
    d_orange, d_n_orange = mul_backward(d_o, orange, n_orange)
    assert (d_n_apple, d_apple, d_orange, d_n_orange, d_tax) == pytest.approx(
        (110.0, 2.2, 3.3, 165.0, 650.0))


def test_sigmoid_derivative_at_zero_is_a_quarter():
    z = np.array([[0.0]])
    act = ACTIVATION_FUNCTIONS["sigmoid"]
    a = act.forward(z)
    assert a[0, 0] == 0.5
    assert act.backward(np.ones_like(z), z, a)[0, 0] == 0.25


@pytest.mark.parametrize("z", [-800.0, -40.0, 0.0, 40.0, 800.0])
def test_sigmoid_is_finite_and_exact_at_extremes(z):
    s = sigmoid(np.array(z))
    assert np.isfinite(s) and s == pytest.approx(1 / (1 + math.exp(-z)) if abs(z) < 700 else float(z > 0))


def test_relu_derivative_is_zero_at_the_tie():
    z = np.array([[-1.0, 0.0, 2.0]])
    act = ACTIVATION_FUNCTIONS["relu"]
    dz = act.backward(np.ones_like(z), z, act.forward(z))
    assert dz.tolist() == [[0.0, 0.0, 1.0]]


def test_softmax_ce_of_equal_logits_is_log_classes():
    z, Y = np.zeros((4, 5)), np.eye(5)[[0, 1, 2, 3]]
    assert LOSS_FUNCTIONS["softmax_cross_entropy"].value(z, Y) == pytest.approx(math.log(5))
    # gradient (p - Y) / batch with p = 1/5
    assert np.allclose(LOSS_FUNCTIONS["softmax_cross_entropy"].grad(z, Y), (0.2 - Y) / 4)


def test_softmax_ce_is_stable_at_huge_logits():
    z = np.array([[1000.0, 0.0, -1000.0]])
    Y = np.array([[0.0, 1.0, 0.0]])
    assert LOSS_FUNCTIONS["softmax_cross_entropy"].value(z, Y) == pytest.approx(1000.0)
    assert np.all(np.isfinite(LOSS_FUNCTIONS["softmax_cross_entropy"].grad(z, Y)))


def test_bce_at_zero_logit_is_log_two_per_output():
    z, Y = np.zeros((2, 3)), np.ones((2, 3))
    assert LOSS_FUNCTIONS["sigmoid_bce"].value(z, Y) == pytest.approx(3 * math.log(2))
    assert np.allclose(LOSS_FUNCTIONS["sigmoid_bce"].grad(z, Y), -0.5 / 2)


def test_mse_gradient_has_two_over_n():
    out, Y = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.zeros((3, 2))
    assert np.allclose(LOSS_FUNCTIONS["mse"].grad(out, Y), 2 * out / 6)


def test_linear_regression_gradient_in_closed_form():
    """A depth-1 identity network with MSE and L2 is ridge regression: known gradient."""
    case, truth_loss, truth = ridge_case()
    loss, g = loss_and_grads(case.params, case.X, case.Y, case.spec)
    assert loss == pytest.approx(truth_loss)
    for k in truth:
        assert np.allclose(g[k], truth[k], rtol=1e-13, atol=1e-15), k
