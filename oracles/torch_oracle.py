"""PyTorch autograd oracle: the forward rebuilt from torch's own ops and losses, float64
(each record's ``torch_op``, reference/ops.py; MLPs here, CNN-style networks in
:mod:`torch_cnn`)."""

from __future__ import annotations

import os

import numpy as np
from crosscheck.reference.cnn_spec import is_cnn
from crosscheck.reference.ops import ACTIVATION_OPS, LOSS_OPS
from crosscheck.reference.params import check_inputs

from .base import OracleResult

__all__ = ["TorchOracle"]


class TorchOracle:
    name = "torch"
    kind = "autodiff"

    def __init__(self) -> None:
        import torch  # lazy: `import oracles` must not cost a framework import

        # One intra-op thread unless OMP_NUM_THREADS says otherwise: the gate's networks are
        # small, where torch's thread pool costs far more than it gains, and two pytest-xdist
        # workers on two cores oversubscribe it. Measured on 100 default `run` networks on a
        # shared 2-core machine: 0.8-1.6 ms per call with one thread, 5-77 ms with two.
        if "OMP_NUM_THREADS" not in os.environ and torch.get_num_threads() > 1:
            torch.set_num_threads(1)
        self._torch = torch
        self._F = torch.nn.functional

    def _tensor(self, arr: np.ndarray, grad: bool = False):
        # torch.tensor copies: never torch.from_numpy, which would share the caller's memory.
        return self._torch.tensor(np.array(arr, dtype=np.float64), dtype=self._torch.float64,
                                  requires_grad=grad)

    def evaluate(self, params, X, Y, spec) -> OracleResult:
        if is_cnn(spec):
            from .torch_cnn import torch_cnn_evaluate

            return torch_cnn_evaluate(self._torch, params, X, Y, spec, self.name)
        check_inputs(params, X, Y, spec)
        torch, F = self._torch, self._F
        names = spec.param_names()
        leaves = {n: self._tensor(params[n], grad=True) for n in names}  # fresh leaves per call
        x = self._tensor(X)
        labels = Y.ndim == 1  # integer class indices (softmax cross-entropy), checked above
        y = (self._torch.tensor(np.array(Y, dtype=np.int64), dtype=self._torch.int64) if labels
             else self._tensor(Y))
        a = x
        for layer in range(1, spec.depth + 1):
            a = ACTIVATION_OPS[spec.activations[layer - 1]].torch_op(
                torch, F.linear(a, leaves[f"W{layer}"].T, leaves.get(f"b{layer}")))  # no bias: None
        batch = X.shape[0]
        # the spec's conventions (reference/spec.py): a summed loss is batch x the mean one
        loss = spec.loss_scale(batch) * LOSS_OPS[spec.loss].torch_op(torch, a, y)
        if spec.l2 > 0:
            sq = sum((leaves[f"W{layer}"] ** 2).sum() for layer in range(1, spec.depth + 1))
            loss = loss + spec.l2 / (2.0 * spec.l2_divisor(batch)) * sq
        grads = torch.autograd.grad(loss, [leaves[n] for n in names])
        if any(g is None for g in grads):  # pragma: no cover - would be a torch bug
            raise RuntimeError("torch returned no gradient for a parameter")
        return OracleResult(
            oracle=self.name,
            loss=float(loss.detach()),
            grads={n: g.detach().numpy().copy() for n, g in zip(names, grads, strict=True)},
        )

    def loss_and_grads(self, params, X, Y, spec):
        r = self.evaluate(params, X, Y, spec)
        return r.loss, r.grads
