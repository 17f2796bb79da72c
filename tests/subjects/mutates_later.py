"""Broken (bias-mean-vs-sum) and hostile: it keeps the arrays it was given and, on its next
call, overwrites every one of them with NaN, after the call that received them returned. In
the tool's own process that corrupted the checked networks and their reproduction scripts."""

import numpy as np
from mlp_parts import forward, gradients, loss_value

_KEPT = []


def loss_and_grads(params, X, Y, spec):
    for arr in _KEPT:
        arr[...] = np.nan
    _KEPT.extend([X, Y, *params.values()])
    out = forward(params, X, spec)[0][-1]
    return loss_value(params, out, Y, spec), gradients(params, X, Y, spec,
                                                       bias=lambda d: d.mean(axis=0))
