"""The hand-written backprop of a CNN-style network, composed from the CS231n layers of
:mod:`cnn_layers`: forward through the layers, then each layer's backward in reverse."""

from __future__ import annotations

import numpy as np

from . import cnn_layers as L
from .cnn_params import check_cnn_inputs
from .cnn_spec import AvgPool, BatchNorm, CNNSpec, Conv, Dropout, MaxPool, ReLU

__all__ = ["cnn_forward", "cnn_loss_and_grads", "spatial_batchnorm_backward",
           "spatial_batchnorm_forward"]


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Batch norm per channel over (N, H, W): the (N, C, H, W) input seen as N H W rows of C."""
    n, c, h, w = x.shape
    out, cache = L.batchnorm_forward(x.transpose(0, 2, 3, 1).reshape(-1, c), gamma, beta, bn_param)
    return out.reshape(n, h, w, c).transpose(0, 3, 1, 2), cache


def spatial_batchnorm_backward(dout, cache):
    n, c, h, w = dout.shape
    dx, dgamma, dbeta = L.batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, c), cache)
    return dx.reshape(n, h, w, c).transpose(0, 3, 1, 2), dgamma, dbeta


def _names(spec: CNNSpec) -> list[tuple[str, str] | None]:
    """Per layer, the names of its two parameter tensors (or None)."""
    where = {}
    for name, index in spec.param_layers().items():
        where.setdefault(index, []).append(name)
    return [tuple(where[i]) if i in where else None for i in range(len(spec.layers))]


def cnn_forward(params: dict, X: np.ndarray, spec: CNNSpec, outputs: list | None = None):
    """(scores, caches): the last layer's class scores (N, n_classes) and each layer's cache;
    each layer's output is appended to ``outputs`` when given."""
    a, caches = X, []
    for layer, names in zip(spec.layers, _names(spec), strict=True):
        if isinstance(layer, Conv):
            a, cache = L.conv_forward(a, params[names[0]], params[names[1]],
                                      {"stride": layer.stride, "pad": layer.pad})
        elif isinstance(layer, ReLU):
            a, cache = L.relu_forward(a)
        elif isinstance(layer, MaxPool | AvgPool):
            pool = L.max_pool_forward if isinstance(layer, MaxPool) else L.avg_pool_forward
            a, cache = pool(a, {"pool_height": layer.size, "pool_width": layer.size,
                                "stride": layer.stride})
        elif isinstance(layer, BatchNorm):
            norm = spatial_batchnorm_forward if a.ndim == 4 else L.batchnorm_forward
            a, cache = norm(a, params[names[0]], params[names[1]],
                            {"mode": "train", "eps": layer.eps})
        elif isinstance(layer, Dropout):
            a, cache = L.dropout_forward(a, {"mode": "train", "p": layer.p, "seed": layer.seed})
        else:
            a, cache = L.affine_forward(a, params[names[0]], params[names[1]])
        caches.append(cache)
        if outputs is not None:
            outputs.append(a)
    return a, caches


def _backward(layer, dout, cache, spatial: bool):
    """(dx, parameter grads) of one layer."""
    if isinstance(layer, Conv):
        dx, dw, db = L.conv_backward(dout, cache)
        return dx, (dw, db)
    if isinstance(layer, ReLU):
        return L.relu_backward(dout, cache), ()
    if isinstance(layer, MaxPool):
        return L.max_pool_backward(dout, cache), ()
    if isinstance(layer, AvgPool):
        return L.avg_pool_backward(dout, cache), ()
    if isinstance(layer, BatchNorm):
        norm = spatial_batchnorm_backward if spatial else L.batchnorm_backward
        dx, dgamma, dbeta = norm(dout, cache)
        return dx, (dgamma, dbeta)
    if isinstance(layer, Dropout):
        return L.dropout_backward(dout, cache), ()
    dx, dw, db = L.affine_backward(dout, cache)
    return dx, (dw, db)


def cnn_loss_and_grads(params: dict, X: np.ndarray, Y: np.ndarray,
                       spec: CNNSpec, trail: dict | None = None) -> tuple[float, dict]:
    """The reference for a CNN: ``(L, {name: dL/dname})``.

    L = loss(scores, Y) + l2 / (2 * batch) * sum ||W||^2 over the conv and affine weights,
    with loss the batch mean of -log softmax(scores)_y or of the multiclass SVM's
    sum_{j != y} max(0, s_j - s_y + 1). Inputs are validated and never modified.
    ``trail`` (a dict), when given, gets the intermediates (crosscheck/locate reads them):
    ``outputs`` (each layer's), ``upstream`` (dL/d each layer's output), ``data`` (the
    gradients without their L2 term), ``grads`` and ``owners`` (layer index -> its
    parameters' names).
    """
    check_cnn_inputs(params, X, Y, spec)
    batch = X.shape[0]
    outputs: list = []
    scores, caches = cnn_forward(params, X, spec, outputs)
    loss, dout = (L.softmax_loss if spec.loss == "softmax_cross_entropy" else L.svm_loss)(scores, Y)
    weights = spec.weight_names()
    loss += spec.l2 / (2.0 * batch) * sum(float(np.sum(params[w] ** 2)) for w in weights)
    grads: dict[str, np.ndarray] = {}
    shapes = (spec.input_shape, *spec.shapes())
    names = _names(spec)
    upstream: list = [None] * len(spec.layers)
    for i in range(len(spec.layers) - 1, -1, -1):
        upstream[i] = dout
        dout, tensors = _backward(spec.layers[i], dout, caches[i], len(shapes[i]) == 3)
        for name, g in zip(names[i] or (), tensors, strict=True):
            grads[name] = g
    data = dict(grads)
    for w in weights:
        grads[w] = grads[w] + (spec.l2 / batch) * params[w]
    if trail is not None:
        trail.update(outputs=outputs, upstream=upstream, data=data, grads=dict(grads),
                     owners={i: n for i, n in enumerate(names) if n})
    return float(loss), {k: grads[k] for k in spec.param_names()}
