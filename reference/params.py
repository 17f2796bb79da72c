"""Parameters: initialisation from an explicit Generator, and validation of (params, X, Y)."""

from __future__ import annotations

import numpy as np

from .spec import LABEL_LOSSES, NetworkSpec

__all__ = ["check_inputs", "check_params", "init_params"]


def init_params(spec: NetworkSpec, rng: np.random.Generator, scale: float = 1.0) -> dict:
    """Draw ``W_l ~ N(0, scale^2 / fan_in)`` and ``b_l ~ N(0, (0.1 * scale)^2)``, float64.

    ``scale=1`` is a LeCun-style init; larger scales push sigmoid/tanh units into saturation.
    Biases are non-zero on purpose: a zero bias hides bias-gradient bugs. A spec without
    biases (``bias=False``) draws the weights only.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator (e.g. np.random.default_rng(0))")
    params = {}
    for layer in range(1, spec.depth + 1):
        fan_in, fan_out = spec.sizes[layer - 1], spec.sizes[layer]
        params[f"W{layer}"] = rng.normal(0.0, scale / np.sqrt(fan_in), size=(fan_in, fan_out))
        if spec.bias:
            params[f"b{layer}"] = rng.normal(0.0, 0.1 * scale, size=(fan_out,))
    return params


def _check_array(name: str, arr, shape: tuple[int | None, ...]) -> None:
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(arr).__name__}")
    if arr.dtype != np.float64:
        raise TypeError(f"{name} must be float64, got {arr.dtype} (cast with .astype(np.float64))")
    if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape, strict=True)):
        want = "(" + ", ".join("batch" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} has shape {arr.shape}, expected {want}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or Inf")


def _check_labels(Y: np.ndarray, spec: NetworkSpec) -> None:
    """Y as integer class indices, shape (batch,), each in [0, n_out)."""
    if spec.loss not in LABEL_LOSSES:
        raise ValueError(f"Y holds integer class labels, which only {', '.join(LABEL_LOSSES)} "
                         f"takes; {spec.loss} needs rows of shape (batch, {spec.sizes[-1]})")
    if Y.size and (Y.min() < 0 or Y.max() >= spec.sizes[-1]):
        raise ValueError(f"Y holds class labels outside [0, {spec.sizes[-1]}): "
                         f"min {Y.min()}, max {Y.max()}")


def check_params(params: dict, shapes: dict) -> None:
    """``params`` holds exactly the names of ``shapes``, each a finite float64 array of that
    shape (a one-line ``ValueError``/``TypeError`` otherwise): for MLPs and CNNs alike."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict, got {type(params).__name__}")
    missing = [k for k in shapes if k not in params]
    extra = [k for k in params if k not in shapes]
    if missing or extra:
        raise ValueError(f"params keys do not match the spec: missing {missing}, unexpected {extra}")
    for name, shape in shapes.items():
        _check_array(name, params[name], shape)


def check_inputs(params: dict, X: np.ndarray, Y: np.ndarray, spec: NetworkSpec) -> None:
    """Raise a one-line ``ValueError``/``TypeError`` naming the first thing that breaks the
    contract: missing or extra keys, wrong shapes, non-float64 dtypes, non-finite values.

    ``Y`` is float64 rows ``(batch, n_out)``, or, for softmax cross-entropy, integer class
    indices ``(batch,)`` in ``[0, n_out)``."""
    if not isinstance(spec, NetworkSpec):
        raise TypeError(f"spec must be a NetworkSpec, got {type(spec).__name__}")
    check_params(params, spec.param_shapes())
    _check_array("X", X, (None, spec.sizes[0]))
    if isinstance(Y, np.ndarray) and Y.ndim == 1 and np.issubdtype(Y.dtype, np.integer):
        _check_labels(Y, spec)
    else:
        _check_array("Y", Y, (None, spec.sizes[-1]))
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X has batch {X.shape[0]} but Y has batch {Y.shape[0]}")
    if X.shape[0] < 1:
        raise ValueError("batch must be at least 1")
