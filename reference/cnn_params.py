"""CNN parameters: initialisation from an explicit Generator, and validation of (params, X, Y)."""

from __future__ import annotations

import math

import numpy as np

from .cnn_spec import BatchNorm, CNNSpec
from .params import _check_array, check_params

__all__ = ["check_cnn_inputs", "init_cnn_params"]


def init_cnn_params(spec: CNNSpec, rng: np.random.Generator, scale: float = 1.0) -> dict:
    """Weights ``W ~ N(0, scale^2 / fan_in)`` (fan_in = C k k for a conv, D_in for an affine
    layer), biases and beta ``~ N(0, (0.1 scale)^2)``, gamma uniform in [0.5, 1.5]; float64.
    Biases, gamma and beta are not their neutral values on purpose: those hide bugs."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator (e.g. np.random.default_rng(0))")
    params = {}
    for name, shape in spec.param_shapes().items():
        if name.startswith("W"):
            fan_in = math.prod(shape[1:]) if len(shape) == 4 else shape[0]
            params[name] = rng.normal(0.0, scale / np.sqrt(fan_in), size=shape)
        elif name.startswith("gamma"):
            params[name] = rng.uniform(0.5, 1.5, size=shape)
        else:
            params[name] = rng.normal(0.0, 0.1 * scale, size=shape)
    return params


def check_cnn_inputs(params: dict, X: np.ndarray, Y: np.ndarray, spec: CNNSpec) -> None:
    """Raise a one-line ``ValueError``/``TypeError`` naming the first thing that breaks the
    contract: missing or extra keys, wrong shapes, non-float64 dtypes, non-finite values,
    labels that are not int class indices in ``[0, n_classes)``, or a batchnorm layer that
    would see fewer than two values per channel."""
    if not isinstance(spec, CNNSpec):
        raise TypeError(f"spec must be a CNNSpec, got {type(spec).__name__}")
    check_params(params, spec.param_shapes())
    _check_array("X", X, (None, *spec.input_shape))
    if not (isinstance(Y, np.ndarray) and Y.ndim == 1 and np.issubdtype(Y.dtype, np.integer)):
        raise ValueError(f"Y must be int class labels of shape (batch,), got "
                         f"{type(Y).__name__} {getattr(Y, 'dtype', '')} {getattr(Y, 'shape', '')}")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X has batch {X.shape[0]} but Y has batch {Y.shape[0]}")
    if X.shape[0] < 1:
        raise ValueError("batch must be at least 1")
    if Y.min() < 0 or Y.max() >= spec.n_classes:
        raise ValueError(f"Y holds class labels outside [0, {spec.n_classes}): "
                         f"min {Y.min()}, max {Y.max()}")
    shapes_in = (spec.input_shape, *spec.shapes())
    for i, layer in enumerate(spec.layers):
        if isinstance(layer, BatchNorm):
            per_channel = X.shape[0] * math.prod(shapes_in[i][1:])
            if per_channel < 2:
                raise ValueError(f"layers[{i}] (batchnorm) sees {per_channel} value per channel "
                                 f"at batch {X.shape[0]}: its output would be constant")
