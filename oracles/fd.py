"""Central finite differences in float64, with its own forward pass (independent of the reference).

Full mode perturbs every coordinate of every tensor, layer-aware: perturbing W_l[i, j] or
b_l[j] changes only column j of the pre-activation z_l, so layers below l are shared, column j
of z_l is the only copy made, and the change reaches z_{l+1} as a rank-1 update
``(act(z_l[:, j] + dz) - a_l[:, j]) outer W_{l+1}[j, :]``. Perturbations are processed in
chunks whose size bounds the memory.

The step rule (``h = 2^-17 max(1, |t|)``, derived in :mod:`fd_core`), the differences of
stacked perturbations, their chunks, Richardson refinement and sampling come from
:mod:`fd_core`. The perturbation is applied to the pre-activation directly as
``h * input``, so the step that enters the formula is exactly h; nothing is rounded into the
parameter.

Kinks. ReLU is not differentiable at 0, nor any activation at the ``kinks`` its record
declares; a difference whose two sides put a pre-activation on different sides of a kink of
its layer's activation (from the unperturbed point) measures a chord across the kink, not the
gradient. Such coordinates are returned in ``OracleResult.kinks``.

The parameters are never written: no copy of a parameter array is even needed, and the
caller's arrays are provably unchanged (see tests/test_no_mutation.py).

CNN-style networks (a ``CNNSpec``) are differenced by :mod:`fd_cnn`, with the same step,
modes and kink rules.
"""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from crosscheck.reference.cnn_spec import is_cnn
from crosscheck.reference.ops import ACTIVATION_OPS, LOSS_OPS
from crosscheck.reference.params import check_inputs

from .base import OracleResult
from .fd_core import (
    DEFAULT_STEP,
    central_differences,
    check_sample,
    chunks,
    perturbed,
    richardson,
    rows_matmul,
    sampled,
    step_sizes,
)

__all__ = ["DEFAULT_STEP", "DirectionalResult", "FiniteDifferenceOracle", "one_blas_thread"]
_CHUNK_ELEMENTS = 1 << 17  # float64 elements per (perturbation x batch x width) block: 1 MiB,
# small enough to stay in cache (measured: 1 << 17 is 2-3x faster than 1 << 21 on 784-64-10)


# ---- numpy's BLAS threads, and the shape of the products --------------------------------
# fd's products are many small ones. With numpy's BLAS at its default threads (one per core)
# a product of (P * batch) rows runs on two threads, which on a shared 2-core machine (two
# pytest-xdist workers, or other work) costs up to 30x a single thread; torch's own threads
# are pinned the same way (oracles/torch_oracle.py). So each call of the oracle runs with
# numpy's BLAS pinned to one thread, and the caller's setting is restored after it: an API
# user's process keeps its own. A BLAS thread count the user set in the environment is left
# alone. Measured in benchmarks/blas.py (benchmarks/README.md).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_blas_libraries: list | None = None


def _blas() -> list:
    """numpy's BLAS libraries as threadpoolctl controls them (found once per process); none
    without threadpoolctl (a dependency: only an environment that skipped it runs unpinned,
    and tests/test_oracles.py fails there naming it)."""
    global _blas_libraries
    if _blas_libraries is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _blas_libraries = []
        else:
            _blas_libraries = [lib for lib in ThreadpoolController().lib_controllers
                               if lib.user_api == "blas"]
    return _blas_libraries


@contextmanager
def one_blas_thread():
    """numpy's BLAS on one thread inside the block (unless the environment sets a count)."""
    if any(v in os.environ for v in THREAD_VARIABLES):
        yield
        return
    libraries = _blas()
    before = [lib.get_num_threads() for lib in libraries]
    for lib in libraries:
        lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, n in zip(libraries, before, strict=True):
            lib.set_num_threads(n)


def _pinned(method):
    """``method`` run under :func:`one_blas_thread`."""
    @functools.wraps(method)
    def pinned(*args, **kwargs):
        with one_blas_thread():
            return method(*args, **kwargs)

    return pinned


# ---- an independent forward, vectorised over a leading axis of perturbations ---------------
# Each record's ``numeric`` forward (reference/ops.py): written apart from the reference's.

_ACTS = {name: op.numeric for name, op in ACTIVATION_OPS.items()}


def _kinked(act: str, z_new, z_old, axis):
    """Per perturbation: does a perturbed pre-activation lie across a kink of ``act`` (its
    record's ``kinks``) from the unperturbed one? (False, cheaply, for a smooth ``act``.)"""
    op = ACTIVATION_OPS[act]
    return op.crossed(z_new, z_old).any(axis=axis) if op.kinks else False


def _rows(Y: np.ndarray, n_out: int) -> np.ndarray:
    """Integer class labels (batch,) as one-hot float rows; rows as they are."""
    if Y.ndim == 1:
        rows = np.zeros((Y.shape[0], n_out))
        rows[np.arange(Y.shape[0]), Y] = 1.0
        return rows
    return Y


def _data_loss(out: np.ndarray, Y: np.ndarray, spec, shift=None) -> np.ndarray:
    """Loss without the L2 term for out of shape (..., batch, n_out): one value per leading index.
    ``Y`` is rows (batch, n_out); callers turn class labels into rows first (:func:`_rows`).
    ``shift`` (batch, 1) is the softmax stabiliser (the record's ``numeric``, reference/ops.py).
    The spec's reduction applies (``NetworkSpec.loss_scale``: a summed loss is batch x the mean).
    """
    return spec.loss_scale(Y.shape[0]) * LOSS_OPS[spec.loss].numeric(out, Y, shift)


def _bias(params, spec, layer):
    """``b_layer``, or 0.0 for a network without biases."""
    return params[f"b{layer}"] if spec.bias else 0.0


@dataclass(frozen=True)
class _Base:
    """The unperturbed forward: a[l] is the input of layer l+1 (a[0] = X), z[l] its pre-activation."""

    a: list
    z: list
    shift: np.ndarray  # row max of the output, the softmax stabiliser


@dataclass(frozen=True)
class DirectionalResult:
    """Per tensor: the directional derivative along a random unit direction ``u`` (same keys
    as the params), and whether that difference crossed a ReLU kink."""

    oracle: str
    loss: float
    derivatives: dict
    directions: dict
    kinked: dict


class FiniteDifferenceOracle:
    name = "fd"
    kind = "fd"

    def __init__(self, step: float = DEFAULT_STEP, chunk_elements: int = _CHUNK_ELEMENTS) -> None:
        if not (isinstance(step, float | int) and 0 < step < 1):
            raise ValueError(f"step must be a number in (0, 1), got {step!r}")
        self.step = float(step)
        self.chunk_elements = int(chunk_elements)

    def _cnn(self):
        """The CNN counterpart (oracles/fd_cnn.py), at this oracle's step."""
        from .fd_cnn import CNNFiniteDifferences

        return CNNFiniteDifferences(self.step, name=self.name)

    # ---- shared forward machinery -------------------------------------------------------

    def _base(self, params, X, spec) -> _Base:
        a, z = [X], []
        for layer in range(1, spec.depth + 1):
            z.append(a[-1] @ params[f"W{layer}"] + _bias(params, spec, layer))
            a.append(_ACTS[spec.activations[layer - 1]](z[-1]))
        return _Base(a=a, z=z, shift=a[-1].max(axis=-1, keepdims=True))

    def _propagate(self, Z, layer, params, Y, spec, base):
        """Forward from the (perturbed) pre-activations Z of ``layer`` (1-based), shape
        (P, batch, n_layer). Returns (data losses (P,), crossed-a-kink flags (P,))."""
        kinked = np.zeros(Z.shape[0], dtype=bool)
        a = None
        for m in range(layer, spec.depth + 1):
            if m > layer:
                Z = rows_matmul(a, params[f"W{m}"]) + _bias(params, spec, m)
            act = spec.activations[m - 1]
            kinked |= _kinked(act, Z, base.z[m - 1], (1, 2))
            a = _ACTS[act](Z)
        return _data_loss(a, Y, spec, base.shift), kinked

    def _propagate_columns(self, zc, cols, layer, params, Y, spec, base):
        """Perturbations that change only column cols[p] of z_layer, to zc[p] (shape (P, batch))."""
        act = spec.activations[layer - 1]
        z_old = base.z[layer - 1][:, cols].T  # (P, batch)
        kinked = np.zeros(zc.shape[0], dtype=bool)
        kinked |= _kinked(act, zc, z_old, 1)
        ac = _ACTS[act](zc)
        if layer == spec.depth:
            out = np.repeat(base.a[layer][None], zc.shape[0], axis=0).astype(ac.dtype, copy=False)
            out[np.arange(zc.shape[0]), :, cols] = ac
            return _data_loss(out, Y, spec, base.shift), kinked
        delta = ac - base.a[layer][:, cols].T  # (P, batch): change of the unit's output
        W_next = params[f"W{layer + 1}"]
        Z = base.z[layer][None] + delta[:, :, None] * W_next[cols][:, None, :]
        losses, k = self._propagate(Z, layer + 1, params, Y, spec, base)
        return losses, kinked | k

    def _chunk(self, spec, batch, layer) -> int:
        widest = max(spec.sizes[layer:])
        return max(1, self.chunk_elements // (2 * batch * widest))

    # ---- full mode ----------------------------------------------------------------------

    def _loss(self, params, spec, base, Y, batch) -> float:
        weight_sq = sum(float(np.sum(params[f"W{m}"] ** 2)) for m in range(1, spec.depth + 1))
        return (float(_data_loss(base.a[-1], Y, spec, base.shift))
                + spec.l2 / (2 * spec.l2_divisor(batch)) * weight_sq)

    @_pinned
    def evaluate(self, params, X, Y, spec, *, sample: int | None = None,
                 rng: np.random.Generator | None = None) -> OracleResult:
        """Loss and every gradient coordinate by central differences, plus the kink masks.

        With ``sample``, only ``sample`` coordinates per tensor, drawn without replacement
        from ``rng``, are differenced (a tensor that small is done whole): the others are NaN
        and marked True in ``OracleResult.unchecked``, so a comparison must leave them out
        (a NaN that slips through fails loudly instead of passing). Memory stays bounded by
        the chunk size either way.
        """
        if is_cnn(spec):
            return self._cnn().evaluate(params, X, Y, spec, sample=sample, rng=rng)
        check_inputs(params, X, Y, spec)
        Y = _rows(Y, spec.sizes[-1])
        check_sample(sample, rng)
        base = self._base(params, X, spec)
        batch = X.shape[0]
        grads, kinks, unchecked = {}, {}, {}
        for layer in range(1, spec.depth + 1):
            for name in spec.layer_params(layer):
                grads[name], kinks[name], u = sampled(
                    lambda coords, name=name, layer=layer: self._tensor_fd(
                        name, layer, params, Y, spec, base, batch, coords),
                    params[name].shape, sample, rng)
                if u is not None:
                    unchecked[name] = u
        return OracleResult(oracle=self.name, loss=self._loss(params, spec, base, Y, batch),
                            grads=grads, kinks=kinks, unchecked=unchecked)

    def _tensor_fd(self, name, layer, params, Y, spec, base, batch, coords, step=None):
        """Derivatives of the flat ``coords`` of ``name``, and their kinks (both 1-D)."""
        flat = params[name].ravel()
        step = self.step if step is None else step
        grad = np.empty(coords.size)
        kink = np.zeros(coords.size, dtype=bool)
        n_out = spec.sizes[layer]
        a_prev = base.a[layer - 1]
        for sel in chunks(coords.size, self._chunk(spec, batch, layer)):
            k = coords[sel]
            if name.startswith("W"):
                rows, cols = k // n_out, k % n_out
                direction = a_prev[:, rows].T  # (P, batch): d z_l[:, j] / d W_l[i, j] = a_{l-1}[:, i]
            else:
                cols = k
                direction = np.ones((k.size, batch))
            grad[sel], kink[sel] = self._column_derivatives(
                direction, cols, flat[k], name.startswith("W"), layer, params, Y, spec, base,
                batch, step)
        return grad, kink

    def _column_derivatives(self, direction, cols, w, is_weight, layer, params, Y, spec, base,
                            batch, step):
        """Central differences for P coordinates, each moving column cols[p] of z_layer along
        direction[p] (shape (P, batch)); ``w`` are the coordinates' current values."""
        h = step_sizes(w, step)
        zc = base.z[layer - 1][:, cols].T

        def losses(sel, signed):
            return self._propagate_columns(perturbed(zc, direction, signed),
                                           np.concatenate([cols, cols]), layer, params, Y, spec,
                                           base)

        g, kinked = central_differences(losses, h)
        if is_weight and spec.l2 > 0:
            # central difference of lambda/(2 batch) * w^2, kept apart from the data loss so
            # the (large) constant part of the penalty cannot cancel digits away
            g = g + spec.l2 / (2 * spec.l2_divisor(batch)) * ((w + h) ** 2 - (w - h) ** 2) / (2 * h)
        return g, kinked

    @_pinned
    def refine(self, params, X, Y, spec, name: str, mask: np.ndarray) -> np.ndarray:
        """Richardson-extrapolated differences at the coordinates where ``mask`` is True.

        (4 D(h/2) - D(h)) / 3 cancels the h^2 truncation term of the central difference, which
        dominates where the loss is strongly curved (saturated units, large logits). The gate
        calls this only for coordinates that first disagreed: cheap check first, careful
        check on failure. Returns the refined values in ``mask``'s row-major order.
        """
        if is_cnn(spec):
            return self._cnn().refine(params, X, Y, spec, name, mask)
        check_inputs(params, X, Y, spec)
        Y = _rows(Y, spec.sizes[-1])
        base = self._base(params, X, spec)
        layer = int(name[1:])
        coords = np.flatnonzero(np.asarray(mask, dtype=bool))
        return richardson(lambda step: self._tensor_fd(name, layer, params, Y, spec, base,
                                                       X.shape[0], coords, step)[0], self.step)

    def loss_and_grads(self, params, X, Y, spec):
        r = self.evaluate(params, X, Y, spec)
        return r.loss, r.grads

    # ---- directional mode ---------------------------------------------------------------

    @_pinned
    def directional(self, params, X, Y, spec, rng: np.random.Generator,
                    step: float | None = None) -> DirectionalResult:
        """Per tensor T, the derivative along a random unit direction u_T:
        (L(T + h u_T) - L(T - h u_T)) / 2h, two forward passes per tensor whatever its size.
        Compare with ``sum(grad_T * u_T)`` (the adjoint / dot-product test). ``step``
        overrides h (two Generators in the same state draw the same directions, so two calls
        at h and h/2 give a Richardson pair)."""
        if is_cnn(spec):
            return self._cnn().directional(params, X, Y, spec, rng, step=step)
        check_inputs(params, X, Y, spec)
        Y = _rows(Y, spec.sizes[-1])
        base = self._base(params, X, spec)
        batch = X.shape[0]
        h = self.step if step is None else step
        loss = self._loss(params, spec, base, Y, batch)
        derivatives, directions, kinked = {}, {}, {}
        for layer in range(1, spec.depth + 1):
            for name in spec.layer_params(layer):
                u = rng.normal(size=params[name].shape)
                u /= np.linalg.norm(u)
                if name.startswith("W"):
                    dz = base.a[layer - 1] @ u
                else:
                    dz = np.broadcast_to(u, (batch, u.size))
                z = base.z[layer - 1]
                (d,), (k,) = central_differences(
                    lambda sel, signed, z=z, dz=dz, layer=layer: self._propagate(
                        perturbed(z[None], dz[None], signed), layer, params, Y, spec, base), h)
                d = float(d)
                if name.startswith("W") and spec.l2 > 0:
                    # the central difference of the quadratic penalty, expanded: it is exact,
                    # (|W + hu|^2 - |W - hu|^2) / 2h = 2 <W, u>, without the cancellation of
                    # subtracting two large sums
                    d += spec.l2 / (2 * spec.l2_divisor(batch)) * 2.0 * float(np.sum(params[name] * u))
                derivatives[name], directions[name], kinked[name] = d, u, bool(k)
        return DirectionalResult(oracle=self.name, loss=loss, derivatives=derivatives,
                                 directions=directions, kinked=kinked)
