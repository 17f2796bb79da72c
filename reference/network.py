"""The hand-written backprop: forward through the layers, then the chain rule backwards.

The algorithm is written once, in :func:`backprop`, over a :class:`Parts` bundle of layer
functions. The reference is ``backprop`` with the correct parts; the pitfall catalogue swaps
one part for a documented bug.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import layers as _layers
from . import losses as _losses
from .params import check_inputs
from .spec import NetworkSpec

__all__ = ["Parts", "REFERENCE_PARTS", "backprop", "forward", "intermediates", "loss_and_grads"]


@dataclass(frozen=True)
class Parts:
    activations: dict = field(default_factory=lambda: dict(_layers.ACTIVATION_FUNCTIONS))
    losses: dict = field(default_factory=lambda: dict(_losses.LOSS_FUNCTIONS))
    affine_backward: object = _layers.affine_backward
    l2_penalty: object = _losses.l2_penalty
    l2_grad: object = _losses.l2_grad
    # activations used at the output layer instead of ``activations`` (by name): a swapped-in
    # hidden-layer derivative that the output layer, written apart, does not share
    output_activations: dict = field(default_factory=dict)


REFERENCE_PARTS = Parts()


def forward(params: dict, X: np.ndarray, spec: NetworkSpec, parts: Parts = REFERENCE_PARTS):
    """Return (out, cache) where cache[l] = (a_{l-1}, z_l, a_l) for l = 1..L."""
    a = X
    cache = []
    for layer in range(1, spec.depth + 1):
        b = params[f"b{layer}"] if spec.bias else None
        z = _layers.affine_forward(a, params[f"W{layer}"], b)
        a_next = parts.activations[spec.activations[layer - 1]].forward(z)
        cache.append((a, z, a_next))
        a = a_next
    return a, cache


def backprop(params: dict, X: np.ndarray, Y: np.ndarray, spec: NetworkSpec,
             parts: Parts = REFERENCE_PARTS) -> tuple[float, dict]:
    """Loss and gradients of ``spec`` at ``params`` on (X, Y), assembled from ``parts``."""
    check_inputs(params, X, Y, spec)
    batch = X.shape[0]
    out, cache = forward(params, X, spec, parts)
    loss_fn = parts.losses[spec.loss]
    weights = [params[f"W{layer}"] for layer in range(1, spec.depth + 1)]
    # the conventions (spec.py): a summed loss is batch x the mean one; the penalty's divisor
    scale, divisor = spec.loss_scale(batch), spec.l2_divisor(batch)
    loss = loss_fn.value(out, Y)
    loss = (loss if scale == 1.0 else scale * loss) + parts.l2_penalty(weights, spec.l2, divisor)

    grads: dict[str, np.ndarray] = {}
    da = loss_fn.grad(out, Y)  # dL/da_L
    if scale != 1.0:  # a new array only then: a catalogued variant may share the loss's buffer
        da = scale * da
    for layer in range(spec.depth, 0, -1):
        a_prev, z, a = cache[layer - 1]
        name = spec.activations[layer - 1]
        acts = parts.output_activations if (
            layer == spec.depth and name in parts.output_activations) else parts.activations
        dz = acts[name].backward(da, z, a)
        W = params[f"W{layer}"]
        if layer == 1 and parts.affine_backward is _layers.affine_backward:
            # dL/dX is never used: skipping its matmul saves a third of the backward work on a
            # wide input layer. A swapped-in affine_backward (a pitfall) still runs in full.
            dW, db = _layers.affine_param_grads(dz, a_prev)
        else:
            da, dW, db = parts.affine_backward(dz, a_prev, W)
        grads[f"W{layer}"] = dW + parts.l2_grad(W, spec.l2, divisor)
        if spec.bias:
            grads[f"b{layer}"] = db
    return float(loss), {k: grads[k] for k in spec.param_names()}


def loss_and_grads(params: dict, X: np.ndarray, Y: np.ndarray,
                   spec: NetworkSpec) -> tuple[float, dict]:
    """The reference: ``(L, {name: dL/dname})`` for the contract in DESIGN.md.

    L = loss(a_L, Y) + l2 / (2 * batch) * sum_l ||W_l||^2, with a_l = act_l(a_{l-1} @ W_l + b_l);
    under the spec's conventions L = loss_scale * loss(a_L, Y) + l2 / (2 * l2_divisor) * sum_l
    ||W_l||^2 (``NetworkSpec.loss_scale``, ``l2_divisor``), and without biases no ``+ b_l``.
    Inputs are validated (keys, shapes, float64, finite) and never modified.
    """
    return backprop(params, X, Y, spec, REFERENCE_PARTS)


def intermediates(params: dict, X: np.ndarray, Y: np.ndarray, spec: NetworkSpec) -> dict:
    """Every array the reference computes on the way, by name, for finding the line of a
    subject that goes wrong (crosscheck/locate): per layer l, ``z{l}``, ``a{l}``,
    ``act'{l}`` (the activation's derivative at z), ``da{l}`` (dL/da_l), ``dz{l}``,
    ``dW{l}`` (the data part, ``a_{l-1}^T dz_l``), ``grad_W{l}`` (with the L2 term) and
    ``db{l}``; ``a0`` is X; ``data_loss`` and ``loss`` (with its L2 term) as 0-d arrays. The
    same backprop as :func:`loss_and_grads`, kept step by step."""
    check_inputs(params, X, Y, spec)
    batch = X.shape[0]
    out, cache = forward(params, X, spec)
    found = {"a0": X}
    scale, divisor = spec.loss_scale(batch), spec.l2_divisor(batch)
    data = scale * REFERENCE_PARTS.losses[spec.loss].value(out, Y)
    weights = [params[f"W{layer}"] for layer in range(1, spec.depth + 1)]
    found["data_loss"] = np.asarray(data, dtype=np.float64)
    found["loss"] = np.asarray(data + REFERENCE_PARTS.l2_penalty(weights, spec.l2, divisor),
                               dtype=np.float64)
    for layer, (_, z, a) in enumerate(cache, start=1):
        act = REFERENCE_PARTS.activations[spec.activations[layer - 1]]
        found[f"z{layer}"], found[f"a{layer}"] = z, a
        found[f"act'{layer}"] = act.backward(np.ones_like(z), z, a)
    da = REFERENCE_PARTS.losses[spec.loss].grad(out, Y)
    for layer in range(spec.depth, 0, -1):
        a_prev, z, a = cache[layer - 1]
        found[f"da{layer}"] = da
        dz = REFERENCE_PARTS.activations[spec.activations[layer - 1]].backward(da, z, a)
        W = params[f"W{layer}"]
        da, dW, db = _layers.affine_backward(dz, a_prev, W)
        found[f"dz{layer}"], found[f"dW{layer}"], found[f"db{layer}"] = dz, dW, db
        found[f"grad_W{layer}"] = dW + REFERENCE_PARTS.l2_grad(W, spec.l2, batch)
    return found
