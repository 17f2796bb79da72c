"""PyTorch autograd on a CNN-style network: the forward rebuilt from torch.nn.functional's own
ops and losses (conv2d, max_pool2d, avg_pool2d, batch_norm in training mode, linear,
cross_entropy, multi_margin_loss), float64. The oracle's ``evaluate`` hands CNN specs here."""

from __future__ import annotations

import numpy as np
from crosscheck.reference.cnn_params import check_cnn_inputs
from crosscheck.reference.cnn_spec import (
    AvgPool,
    BatchNorm,
    CNNSpec,
    Conv,
    Dropout,
    MaxPool,
    ReLU,
    dropout_mask,
)

from .base import OracleResult

__all__ = ["torch_cnn_evaluate"]


def torch_cnn_evaluate(torch, params: dict, X: np.ndarray, Y: np.ndarray, spec: CNNSpec,
                       name: str = "torch") -> OracleResult:
    check_cnn_inputs(params, X, Y, spec)
    F = torch.nn.functional
    names = spec.param_names()
    # torch.tensor copies: never torch.from_numpy, which would share the caller's memory
    leaves = {n: torch.tensor(np.array(params[n]), dtype=torch.float64, requires_grad=True)
              for n in names}
    a = torch.tensor(np.array(X), dtype=torch.float64)
    of_layer: dict[int, list] = {}
    for n, index in spec.param_layers().items():
        of_layer.setdefault(index, []).append(leaves[n])
    for i, layer in enumerate(spec.layers):
        if isinstance(layer, Conv):
            w, b = of_layer[i]
            a = F.conv2d(a, w, b, stride=layer.stride, padding=layer.pad)
        elif isinstance(layer, ReLU):
            a = F.relu(a)
        elif isinstance(layer, MaxPool):
            a = F.max_pool2d(a, layer.size, layer.stride)
        elif isinstance(layer, AvgPool):
            a = F.avg_pool2d(a, layer.size, layer.stride)
        elif isinstance(layer, BatchNorm):
            gamma, beta = of_layer[i]
            a = F.batch_norm(a, None, None, gamma, beta, training=True, eps=layer.eps)
        elif isinstance(layer, Dropout):
            mask = dropout_mask(tuple(a.shape), layer.p, layer.seed)
            a = a * torch.tensor(mask, dtype=torch.float64)
        else:
            w, b = of_layer[i]
            a = F.linear(a.flatten(1), w.T, b)
    y = torch.tensor(np.array(Y, dtype=np.int64), dtype=torch.int64)
    if spec.loss == "softmax_cross_entropy":
        loss = F.cross_entropy(a, y)
    else:  # multi_margin_loss divides by the number of classes; the multiclass SVM does not
        loss = F.multi_margin_loss(a, y, margin=1.0) * spec.n_classes
    if spec.l2 > 0:
        loss = loss + spec.l2 / (2.0 * X.shape[0]) * sum((leaves[w] ** 2).sum()
                                                          for w in spec.weight_names())
    grads = torch.autograd.grad(loss, [leaves[n] for n in names])
    return OracleResult(oracle=name, loss=float(loss.detach()),
                        grads={n: g.detach().numpy().copy() for n, g in zip(names, grads, strict=True)})
