"""Complex-step differentiation: exact to rounding, for networks of analytic activations.

For a real-analytic L, L(t + i h) = L(t) + i h L'(t) - h^2 L''(t) / 2 - i h^3 L'''(t) / 6 + ...,
so L'(t) = Im L(t + i h) / h with error h^2 |L'''| / 6 and no subtraction at all: nothing
cancels, so h can be tiny. With h = 1e-30 the truncation term is ~1e-60 relative, far below
rounding, and the result is as accurate as autodiff (Squire & Trapp 1998; Martins et al. 2003).

It needs every operation to be complex-analytic: the activations whose record says
``analytic`` (reference/ops.py: identity, sigmoid, tanh, ...), the losses (the softmax shift
uses the real row max; softplus is written so exp never overflows), and no ``abs``, ``max`` or
comparisons on the perturbed values. ReLU is not analytic (max(z, 0) has no complex extension
that carries the derivative), nor any piecewise activation, so a network with such a layer
raises :class:`~oracles.base.OracleNotApplicable` and the finite-difference oracle must stand in.

It reuses the layer-aware, chunked machinery of :mod:`oracles.fd` (one column of z_l
perturbed at a time, layers below shared), with one complex evaluation per coordinate instead
of two real ones. The L2 penalty is added in closed form: Im(lambda/(2B) (w + ih)^2) / h is
exactly lambda w / B.
"""

from __future__ import annotations

import numpy as np
from crosscheck.reference.cnn_spec import is_cnn
from crosscheck.reference.ops import ACTIVATION_OPS
from crosscheck.reference.params import check_inputs

from .base import OracleNotApplicable, OracleResult
from .fd import FiniteDifferenceOracle

__all__ = ["COMPLEX_STEP", "ComplexStepOracle"]

COMPLEX_STEP = 1e-30


def _not_analytic(spec) -> list[str]:
    """The activations of ``spec`` that are not analytic, each once, in layer order."""
    return list(dict.fromkeys(a for a in spec.activations if not ACTIVATION_OPS[a].analytic))


class ComplexStepOracle(FiniteDifferenceOracle):
    name = "complex-step"
    kind = "complex-step"

    def __init__(self, step: float = COMPLEX_STEP, **options) -> None:
        super().__init__(step=step, **options)  # chunk_elements as in fd: complex doubles
        # the bytes per element, one evaluation instead of two halves the count

    @staticmethod
    def applies(spec) -> bool:
        """True when every activation is analytic (its record says so: no ReLU); never for a
        CNN-style network (its max-pooling, ReLU and SVM hinge are not analytic, and this
        oracle differences MLPs only)."""
        return not is_cnn(spec) and not _not_analytic(spec)

    def evaluate(self, params, X, Y, spec, *, sample: int | None = None,
                 rng: np.random.Generator | None = None) -> OracleResult:
        """Loss and every gradient coordinate as Im L(theta + i h e_k) / h.

        Raises :class:`OracleNotApplicable` on a network with a ReLU (or other non-analytic) layer.
        """
        if is_cnn(spec):
            raise OracleNotApplicable("complex-step covers MLP networks only; a CNN-style network "
                                      "is checked by fd")
        check_inputs(params, X, Y, spec)
        if not self.applies(spec):
            raise OracleNotApplicable(
                f"complex-step needs analytic activations; {spec.describe()} has "
                f"{', '.join(_not_analytic(spec))}")
        return super().evaluate(params, X, Y, spec, sample=sample, rng=rng)

    def _column_derivatives(self, direction, cols, w, is_weight, layer, params, Y, spec, base,
                            batch, step):
        zc = base.z[layer - 1][:, cols].T + (1j * step) * direction
        losses, _ = self._propagate_columns(zc, cols, layer, params, Y, spec, base)
        g = losses.imag / step
        if is_weight and spec.l2 > 0:
            g = g + spec.l2 / spec.l2_divisor(batch) * w
        return g, np.zeros(cols.size, dtype=bool)

    def refine(self, params, X, Y, spec, name, mask):  # nothing to refine: no truncation error
        raise NotImplementedError("complex-step needs no Richardson refinement")

    def directional(self, params, X, Y, spec, rng, step=None):
        raise NotImplementedError("complex-step has no directional mode; use the fd oracle")
