"""Correct, in float32 (``--dtype float32``), with one upcast: ``float32_port.py``'s backprop
whose last weight gradient is accumulated in float64 (its activations mixed with a float64
array, as code that builds one with ``np.ones(n)`` does), so that tensor comes back float64.
An upcast is not a wrong gradient: crosscheck compares it by value and says so."""

import numpy as np
from float32_port import ACT, F32, _loss, _output_delta, _rows


def loss_and_grads(params, X, Y, spec):
    n, L = X.shape[0], spec.depth
    Y = _rows(Y, spec.sizes[-1])
    acts, zs = [X], []
    for i in range(1, L + 1):
        zs.append(acts[-1] @ params[f"W{i}"] + params[f"b{i}"])
        acts.append(ACT[spec.activations[i - 1]][0](zs[-1]))
    loss = _loss(acts[-1], Y, spec, params)
    delta = _output_delta(acts[-1], zs[-1], Y, spec)
    grads = {}
    for i in range(L, 0, -1):
        a = acts[i - 1] * np.ones(acts[i - 1].shape[1]) if i == L else acts[i - 1]  # float64
        grads[f"W{i}"] = a.T @ delta + F32(spec.l2 / n) * params[f"W{i}"]
        grads[f"b{i}"] = delta.sum(axis=0)
        if i > 1:
            delta = (delta @ params[f"W{i}"].T) * ACT[spec.activations[i - 2]][1](zs[i - 2],
                                                                              acts[i - 1])
    return loss, grads
