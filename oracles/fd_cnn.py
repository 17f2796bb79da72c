"""Central finite differences of a CNN-style network's loss, with a forward of its own,
vectorised over a leading axis of perturbed copies (independent of the reference).

Every coordinate is differenced, layer-aware, as :mod:`fd` does for MLPs: perturbing a
parameter of layer ``i`` by h changes that layer's output by h times a known direction in one
channel (a conv weight ``W[f, c, p, q]`` adds ``h * x_pad[:, c, p::s, q::s]`` to channel f, a
bias adds h to its channel, an affine weight ``W[i, j]`` adds ``h * x[:, i]`` to column j,
``gamma[c]`` adds ``h * xhat[:, c]``, ``beta[c]`` adds h). So the layers below are computed
once, the perturbed layer's output is the unperturbed one plus that change (the step that
enters the formula is exactly h, nothing is rounded into the parameter), and only the layers
above run again, for ``2 P`` copies at once (P coordinates, both signs), in chunks that bound
the memory. The step, the differences and their chunks are :mod:`fd_core`'s (the step
``h = 2^-17 max(1, |theta|)``, as fd's); the L2 term is added in closed form (its central
difference is exact).

Kinks. A difference whose two sides change the sign of any ReLU input, the window maximum a
max-pool picks, or the sign of any SVM margin (j != y) measures a chord across a kink, not
the gradient; such coordinates are returned in ``OracleResult.kinks`` and the vote leaves
them out. A max-pool tie in the unperturbed network is such a kink for every coordinate whose
perturbation moves the tied values apart (the frameworks route a tie's gradient to the first
maximum, a difference measures the average of both sides), and for no other.

The caller's arrays are never written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from crosscheck.reference.cnn_params import check_cnn_inputs
from crosscheck.reference.cnn_spec import (
    Affine,
    AvgPool,
    BatchNorm,
    CNNSpec,
    Conv,
    Dropout,
    MaxPool,
    ReLU,
    dropout_mask,
)
from numpy.lib.stride_tricks import sliding_window_view

from .base import OracleResult
from .fd_core import (
    central_differences,
    check_sample,
    perturbed,
    richardson,
    rows_matmul,
    sampled,
    step_sizes,
)

__all__ = ["CNNFiniteDifferences"]

_CHUNK_ELEMENTS = 1 << 19  # float64 elements of the largest array a chunk of copies makes: 4 MiB


# ---- an independent forward over (copies, batch, ...) ------------------------------------

def _windows(a: np.ndarray, size: int, stride: int) -> np.ndarray:
    """(P, N, C, H', W', size, size): the windows a kernel or pool visits."""
    return sliding_window_view(a, (size, size), axis=(3, 4))[:, :, :, ::stride, ::stride]


def _conv(a: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: int, pad: int) -> np.ndarray:
    if pad:
        a = np.pad(a, ((0, 0), (0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.tensordot(_windows(a, w.shape[2], stride), w, axes=([2, 5, 6], [1, 2, 3]))
    out = out.transpose(0, 1, 4, 2, 3)  # (P, N, H', W', F) -> (P, N, F, H', W')
    return out if b is None else out + b[:, None, None]


def _per_channel(v: np.ndarray, ndim: int) -> np.ndarray:
    """A (C,) vector shaped to broadcast over axis 2 of a (P, N, C[, H, W]) array."""
    return v.reshape((1, 1, -1) + (1,) * (ndim - 3))


@dataclass
class _Trace:
    """The unperturbed forward (copy axis of length 1): each layer's input and output, and
    what the kinks are judged against."""

    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    positive: dict = field(default_factory=dict)  # ReLU layer -> its input > 0
    argmax: dict = field(default_factory=dict)  # max-pool layer -> the window maxima's positions
    xhat: dict = field(default_factory=dict)  # batchnorm layer -> its normalised input
    masks: dict = field(default_factory=dict)  # dropout layer -> its mask
    margins: np.ndarray | None = None  # SVM: margin > 0 (j != y)
    data_loss: float = 0.0


class _Network:
    """One network at one point: the unperturbed trace, and the forward of perturbed copies
    from any layer on, returning (data losses (P,), crossed-a-kink flags (P,))."""

    def __init__(self, params: dict, X: np.ndarray, Y: np.ndarray, spec: CNNSpec) -> None:
        self.params, self.spec, self.Y = params, spec, Y
        self.n = X.shape[0]
        self.of_layer: dict[int, list[str]] = {}
        for name, index in spec.param_layers().items():
            self.of_layer.setdefault(index, []).append(name)
        self.trace = _Trace()
        losses, _ = self.run(X[None], 0, record=True)
        self.trace.data_loss = float(losses[0])

    def run(self, a: np.ndarray, start: int, record: bool = False):
        spec, t = self.spec, self.trace
        kinked = np.zeros(a.shape[0], dtype=bool)
        for i in range(start, len(spec.layers)):
            copies = tuple(range(1, a.ndim))  # every axis but the copies
            layer = spec.layers[i]
            p = [self.params[n] for n in self.of_layer.get(i, ())]
            if record:
                t.inputs.append(a)
            if isinstance(layer, Conv):
                a = _conv(a, p[0], p[1], layer.stride, layer.pad)
            elif isinstance(layer, ReLU):
                positive = a > 0
                if record:
                    t.positive[i] = positive
                else:
                    kinked |= (positive != t.positive[i]).any(axis=copies)
                a = np.where(positive, a, 0.0)
            elif isinstance(layer, MaxPool):
                win = _windows(a, layer.size, layer.stride)
                flat = win.reshape(*win.shape[:5], -1)
                arg = flat.argmax(axis=-1)  # the first maximum of a tie, row-major
                if record:
                    t.argmax[i] = arg
                else:
                    kinked |= (arg != t.argmax[i]).any(axis=copies)
                a = flat.max(axis=-1)
            elif isinstance(layer, AvgPool):
                a = _windows(a, layer.size, layer.stride).mean(axis=(-2, -1))
            elif isinstance(layer, BatchNorm):
                axes = (1, 3, 4) if a.ndim == 5 else (1,)  # per channel over N, H, W; or over N
                mean = a.mean(axis=axes, keepdims=True)
                var = ((a - mean) ** 2).mean(axis=axes, keepdims=True)  # biased
                xhat = (a - mean) / np.sqrt(var + layer.eps)
                if record:
                    t.xhat[i] = xhat
                a = xhat * _per_channel(p[0], a.ndim) + _per_channel(p[1], a.ndim)
            elif isinstance(layer, Dropout):
                if record:
                    t.masks[i] = dropout_mask(a.shape[1:], layer.p, layer.seed)
                a = a * t.masks[i]
            else:
                a = rows_matmul(a.reshape(a.shape[0], self.n, -1), p[0]) + p[1]
            if record:
                t.outputs.append(a)
        return self._loss(a, record, kinked)

    def _loss(self, s: np.ndarray, record: bool, kinked: np.ndarray):
        """Data loss per copy from the scores ``s`` (P, N, K)."""
        rows = np.arange(self.n)
        correct = s[:, rows, self.Y]  # (P, N)
        if self.spec.loss == "softmax_cross_entropy":
            top = s.max(axis=-1, keepdims=True)
            lse = np.log(np.exp(s - top).sum(axis=-1)) + top[..., 0]
            return (lse - correct).mean(axis=1), kinked
        margins = s - correct[..., None] + 1.0
        margins[:, rows, self.Y] = 0.0  # the correct class is left out
        positive = margins > 0
        if record:
            self.trace.margins = positive
        else:
            kinked = kinked | (positive != self.trace.margins).any(axis=(1, 2))
        return np.where(positive, margins, 0.0).sum(axis=(1, 2)) / self.n, kinked


class CNNFiniteDifferences:
    """The finite-difference oracle's work on a :class:`CNNSpec` (see the module docstring):
    ``evaluate``, ``refine`` and ``directional`` as :class:`oracles.fd.FiniteDifferenceOracle`
    has them for MLPs."""

    def __init__(self, step: float, chunk_elements: int = _CHUNK_ELEMENTS, name: str = "fd") -> None:
        self.step = step
        self.chunk_elements = chunk_elements
        self.name = name

    def _loss(self, net: _Network) -> float:
        spec, params = net.spec, net.params
        penalty = sum(float(np.sum(params[w] ** 2)) for w in spec.weight_names())
        return net.trace.data_loss + spec.l2 / (2.0 * net.n) * penalty

    # ---- every coordinate (or a sample) ---------------------------------------------------

    def evaluate(self, params, X, Y, spec, *, sample: int | None = None,
                 rng: np.random.Generator | None = None) -> OracleResult:
        check_cnn_inputs(params, X, Y, spec)
        check_sample(sample, rng)
        net = _Network(params, X, Y, spec)
        grads, kinks, unchecked = {}, {}, {}
        for name, shape in spec.param_shapes().items():
            grads[name], kinks[name], u = sampled(
                lambda coords, name=name: self._tensor_fd(net, name, coords, self.step),
                shape, sample, rng)
            if u is not None:
                unchecked[name] = u
        return OracleResult(oracle=self.name, loss=self._loss(net), grads=grads, kinks=kinks,
                            unchecked=unchecked)

    def refine(self, params, X, Y, spec, name: str, mask: np.ndarray) -> np.ndarray:
        """Richardson-extrapolated differences, (4 D(h/2) - D(h)) / 3, at the coordinates
        where ``mask`` is True, in its row-major order (see :meth:`FiniteDifferenceOracle.refine`)."""
        check_cnn_inputs(params, X, Y, spec)
        net = _Network(params, X, Y, spec)
        coords = np.flatnonzero(np.asarray(mask, dtype=bool))
        return richardson(lambda step: self._tensor_fd(net, name, coords, step)[0], self.step)

    def _chunk(self, net: _Network, index: int) -> int:
        """Coordinates per chunk: the largest array the copies make above layer ``index``
        (conv windows included) stays under ``chunk_elements``."""
        spec, t = net.spec, net.trace
        widest = max(o.size for o in t.outputs[index:])
        for i in range(index + 1, len(spec.layers)):
            layer = spec.layers[i]
            if isinstance(layer, Conv | MaxPool | AvgPool):
                size = layer.kernel if isinstance(layer, Conv) else layer.size
                widest = max(widest, t.outputs[i].size // t.outputs[i].shape[2]
                             * t.inputs[i].shape[2] * size * size)
        return max(1, self.chunk_elements // (2 * widest))

    def _directions(self, net: _Network, name: str, coords: np.ndarray):
        """(channel (P,), change of layer i's output per unit step (P, N, ...)) for the flat
        ``coords`` of ``name``."""
        index = net.spec.param_layers()[name]
        layer, t = net.spec.layers[index], net.trace
        shape = net.params[name].shape
        out = t.outputs[index][0]
        ones = np.ones((coords.size, *out.shape[:1], *out.shape[2:]))
        if name.startswith(("b", "beta")):
            return coords, ones
        if name.startswith("gamma"):
            return coords, np.moveaxis(t.xhat[index][0], 1, 0)[coords]
        if isinstance(layer, Affine):
            rows, cols = np.divmod(coords, shape[1])
            x = t.inputs[index][0].reshape(net.n, -1)
            return cols, x[:, rows].T
        f, c, p, q = np.unravel_index(coords, shape)
        x = t.inputs[index]
        if layer.pad:
            x = np.pad(x, ((0, 0), (0, 0), (0, 0), (layer.pad,) * 2, (layer.pad,) * 2))
        win = _windows(x, layer.kernel, layer.stride)[0]  # (N, C, H', W', k, k)
        return f, win.transpose(1, 4, 5, 0, 2, 3)[c, p, q]  # (P, N, H', W')

    def _tensor_fd(self, net: _Network, name: str, coords: np.ndarray, step: float):
        """Central differences of the flat ``coords`` of ``name``, and their kink flags."""
        index = net.spec.param_layers()[name]
        theta = net.params[name].ravel()
        base = net.trace.outputs[index]

        def losses(sel, signed):
            # only the perturbed parameter's channel of layer ``index``'s output moves
            channel, direction = self._directions(net, name, coords[sel])
            out = np.repeat(base, signed.size, axis=0)
            out[np.arange(signed.size), :, np.concatenate([channel, channel])] += (
                signed.reshape((signed.size,) + (1,) * (direction.ndim - 1))
                * np.concatenate([direction, direction]))
            return net.run(out, index + 1)

        grad, kink = central_differences(losses, step_sizes(theta[coords], step),
                                         chunk=self._chunk(net, index))
        if name.startswith("W") and net.spec.l2 > 0:
            grad += net.spec.l2 / net.n * theta[coords]  # the penalty's exact central difference
        return grad, kink

    # ---- one random direction per tensor --------------------------------------------------

    def directional(self, params, X, Y, spec, rng: np.random.Generator, step: float | None = None):
        """Per tensor T, the derivative along a random unit direction u_T, as
        :meth:`FiniteDifferenceOracle.directional` (the adjoint test)."""
        from .fd import DirectionalResult

        check_cnn_inputs(params, X, Y, spec)
        net = _Network(params, X, Y, spec)
        h = self.step if step is None else step
        t = net.trace
        derivatives, directions, kinked = {}, {}, {}
        for name, index in spec.param_layers().items():
            u = rng.normal(size=params[name].shape)
            u /= np.linalg.norm(u)
            layer, out = spec.layers[index], t.outputs[index]
            if name.startswith(("b", "beta")):
                du = np.broadcast_to(_per_channel(u, out.ndim), out.shape)
            elif name.startswith("gamma"):
                du = t.xhat[index] * _per_channel(u, out.ndim)
            elif isinstance(layer, Affine):
                du = t.inputs[index].reshape(1, net.n, -1) @ u
            else:
                du = _conv(t.inputs[index], u, None, layer.stride, layer.pad)
            (d,), (k,) = central_differences(
                lambda sel, signed, out=out, du=du, index=index: net.run(
                    perturbed(out, du, signed), index + 1), h)
            d = float(d)
            if name.startswith("W") and spec.l2 > 0:
                d += spec.l2 / net.n * float(np.sum(params[name] * u))
            derivatives[name], directions[name], kinked[name] = d, u, bool(k)
        return DirectionalResult(oracle=self.name, loss=self._loss(net), derivatives=derivatives,
                                 directions=directions, kinked=kinked)
