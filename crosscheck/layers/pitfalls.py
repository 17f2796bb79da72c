"""Layer bugs learners make, each a small broken variant of the reference layer, and the
naming rule the network diagnosis follows: a bug is named only when replaying its variant on
the same case reproduces what the user's pair returned (output and every gradient).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from crosscheck.diagnosis.measure import same
from crosscheck.engine.check import SubjectError
from crosscheck.layers.kinds import KINDS, call
from crosscheck.reference import cnn_layers as R

__all__ = ["LAYER_PITFALLS", "LayerPitfall", "name_layer_bug"]


@dataclass(frozen=True)
class LayerPitfall:
    id: str
    kind: str
    title: str
    buggy_line: str
    fixed_line: str
    symptom: str
    forward: Callable  # the variant's forward (or loss function)
    backward: Callable | None


# ---- the variants -------------------------------------------------------------------------

def _bn_backward_no_mean_terms(dout, cache):
    dx, dgamma, dbeta = R.batchnorm_backward(dout, cache)
    return dout * cache["gamma"] / cache["std"], dgamma, dbeta


def _bn_forward_unbiased(x, gamma, beta, bn_param):
    eps = bn_param.get("eps", 1e-5)
    if bn_param.get("mode", "train") == "test":
        return R.batchnorm_forward(x, gamma, beta, bn_param)
    n = x.shape[0]
    out, cache = R.batchnorm_forward(x, gamma, beta, {**bn_param, "eps": eps})
    var = x.var(axis=0, ddof=1) if n > 1 else x.var(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - x.mean(axis=0)) / std
    return gamma * xhat + beta, {**cache, "xhat": xhat, "std": std}


def _bn_forward_eps_outside(x, gamma, beta, bn_param):
    eps = bn_param.get("eps", 1e-5)
    if bn_param.get("mode", "train") == "test":
        return R.batchnorm_forward(x, gamma, beta, bn_param)
    out, cache = R.batchnorm_forward(x, gamma, beta, bn_param)
    std = np.sqrt(x.var(axis=0)) + eps
    xhat = (x - x.mean(axis=0)) / std
    return gamma * xhat + beta, {**cache, "xhat": xhat, "std": std}


def _ln_forward_batch_axis(x, gamma, beta, ln_param):
    """Normalising over the batch axis is batch norm, whatever the layer is called."""
    return R.batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": ln_param.get("eps", 1e-5)})


def _dropout_forward_no_scale(x, dropout_param):
    out, mask = R.dropout_forward(x, dropout_param)
    if mask is None:
        return out, None
    keep = (mask > 0).astype(np.float64)
    return x * keep, keep


def _dropout_backward_fresh_mask(dout, mask):
    if mask is None:
        return dout.copy()
    p = 1.0 / mask[mask > 0][0] if np.any(mask > 0) else 0.5
    fresh = (np.random.default_rng(12345).random(dout.shape) < p) / p
    return dout * fresh


def _conv_backward_flipped(dout, cache):
    x, w, s, p = cache
    dx, dw, db = R.conv_backward(dout, (x, w[:, :, ::-1, ::-1], s, p))
    return dx, dw, db


def _conv_backward_padding_kept(dout, cache):
    x, w, s, p = cache
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp, dw, db = R.conv_backward(dout, (xp, w, s, 0))
    return dxp, dw, db


def _max_pool_backward_all_ties(dout, cache):
    shape, _, ph, pw, s, x = cache
    dx = np.zeros(shape)
    n, c, ho, wo = dout.shape
    for i in range(ho):
        for j in range(wo):
            win = x[:, :, i * s:i * s + ph, j * s:j * s + pw]
            top = win == win.max(axis=(2, 3), keepdims=True)
            dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += top * dout[:, :, i:i + 1, j:j + 1]
    return dx


def _max_pool_forward_keep_x(x, pool_param):
    out, cache = R.max_pool_forward(x, pool_param)
    return out, (*cache, x)


def _softmax_loss_no_1_over_n(x, y):
    loss, dx = R.softmax_loss(x, y)
    return loss, dx * x.shape[0]


def _svm_loss_correct_class(x, y):
    n = x.shape[0]
    margins = np.maximum(0.0, x - x[np.arange(n), y][:, None] + 1.0)  # the correct class too
    active = (margins > 0).astype(np.float64)
    active[np.arange(n), y] = 0.0
    dx = active.copy()
    dx[np.arange(n), y] = -active.sum(axis=1)
    return float(margins.sum() / n), dx / n


def _rnn_backward_dwh_next_h(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dx, dprev, dWx, _, db = R.rnn_step_backward(dnext_h, cache)
    dz = dnext_h * (1.0 - next_h * next_h)
    return dx, dprev, dWx, next_h.T @ dz, db


LAYER_PITFALLS: dict[str, LayerPitfall] = {p.id: p for p in [
    LayerPitfall("batchnorm-no-mean-terms", "batchnorm",
                 "batch-norm backward without the paths through the mean and variance",
                 "dx = dout * gamma / std", "dx = (N dxhat - sum dxhat - xhat sum(dxhat xhat)) / (N std)",
                 "dx is wrong against autograd and against finite differences of the forward; "
                 "dgamma and dbeta are right", R.batchnorm_forward, _bn_backward_no_mean_terms),
    LayerPitfall("batchnorm-variance-mismatch", "batchnorm",
                 "the unbiased variance in the forward, the biased one assumed by the backward",
                 "var = x.var(axis=0, ddof=1)", "var = x.var(axis=0)   # biased, as the backward assumes",
                 "the forward differs from torch's (which normalises with the biased variance) "
                 "and dx is not the derivative of it", _bn_forward_unbiased, R.batchnorm_backward),
    LayerPitfall("batchnorm-eps-outside-sqrt", "batchnorm", "eps added outside the square root",
                 "std = np.sqrt(var) + eps", "std = np.sqrt(var + eps)",
                 "a small forward error, large where a feature's variance is near eps",
                 _bn_forward_eps_outside, R.batchnorm_backward),
    LayerPitfall("layernorm-batch-axis", "layernorm",
                 "layer norm normalising over the batch axis (it is batch norm)",
                 "mu = x.mean(axis=0)", "mu = x.mean(axis=1, keepdims=True)",
                 "the forward is wrong and its backward consistent with it",
                 _ln_forward_batch_axis, R.batchnorm_backward),
    LayerPitfall("dropout-no-inverse-scale", "dropout", "dropout without the inverted 1/p scale",
                 "mask = np.random.rand(*x.shape) < p", "mask = (np.random.rand(*x.shape) < p) / p",
                 "kept entries come out unscaled: the expected activation shrinks by p",
                 _dropout_forward_no_scale, R.dropout_backward),
    LayerPitfall("dropout-fresh-mask-backward", "dropout", "a fresh dropout mask drawn in backward",
                 "dx = dout * ((np.random.rand(*dout.shape) < p) / p)", "dx = dout * mask   # the forward's",
                 "dx zeroes other entries than the forward dropped", R.dropout_forward,
                 _dropout_backward_fresh_mask),
    LayerPitfall("conv-kernel-flipped", "conv", "the kernel flipped in the backward",
                 "dx from w[:, :, ::-1, ::-1]", "dx scatters dout through w as the forward read it",
                 "dx is wrong (dw and db right): the forward is a cross-correlation, the "
                 "backward treats it as a convolution", R.conv_forward, _conv_backward_flipped),
    LayerPitfall("conv-padding-not-stripped", "conv", "the padding left on dx",
                 "return dx_pad, dw, db", "return dx_pad[:, :, pad:-pad, pad:-pad], dw, db",
                 "dx comes back with the padded shape", R.conv_forward, _conv_backward_padding_kept),
    LayerPitfall("max-pool-all-tied-maxima", "max_pool",
                 "max-pool gradient routed to every tied maximum",
                 "dx[window] += (window == window.max()) * dout",
                 "dx[argmax of window] += dout   # one maximum, the first",
                 "only on windows with ties, the gradient is duplicated on every maximum",
                 _max_pool_forward_keep_x, _max_pool_backward_all_ties),
    LayerPitfall("softmax-missing-1-over-n", "softmax_loss", "softmax loss gradient without 1/N",
                 "dx = probs - onehot(y)", "dx = (probs - onehot(y)) / N",
                 "dx is N x the oracle's; the loss is right", _softmax_loss_no_1_over_n, None),
    LayerPitfall("svm-correct-class-counted", "svm_loss", "the SVM margin counts the correct class",
                 "margins = np.maximum(0, x - x[range(N), y][:, None] + 1)",
                 "... and then margins[range(N), y] = 0",
                 "the loss is exactly 1 too high; dx is right", _svm_loss_correct_class, None),
    LayerPitfall("rnn-dwh-wrong-state", "rnn_step", "dWh from the new hidden state",
                 "dWh = next_h.T @ dz", "dWh = prev_h.T @ dz",
                 "dWh is wrong, every other gradient right", R.rnn_step_forward,
                 _rnn_backward_dwh_next_h),
]}


def _fresh_mask(arrays: dict, dout, out, grads) -> bool:
    """dx is dout times a dropout mask (0 or 1/p), but not the one the forward applied: a
    random mask cannot be replayed, so this one is recognised by measurement."""
    x, dx = arrays["x"], grads.get("x")
    if dx is None or out is None:
        return False
    fwd = np.divide(out, x, out=np.zeros_like(x), where=x != 0)
    bwd = np.divide(dx, dout, out=np.zeros_like(dx), where=dout != 0)
    scales = np.unique(np.round(np.concatenate([fwd[fwd != 0], bwd[bwd != 0]]), 9))
    return scales.size == 1 and not np.array_equal(fwd != 0, bwd != 0)


def name_layer_bug(kind: str, arrays: dict, extra: dict, dout, out, grads,
                   error_data: dict | None = None, rtol: float = 1e-8) -> str:
    """The id of the catalogued bug whose replay reproduces the user's answer on this case
    (output and every gradient to ``rtol``, or the same wrong shape), or ""."""
    k = KINDS[kind]
    if kind == "dropout" and not error_data and extra["param"].get("mode") != "test" \
            and _fresh_mask(arrays, dout, out, grads):
        return "dropout-fresh-mask-backward"
    for pid, p in LAYER_PITFALLS.items():
        if p.kind != kind or pid == "dropout-fresh-mask-backward":
            continue
        try:
            r_out, r_grads, _ = call(k, p.forward, p.backward, arrays, extra, dout)
        except SubjectError as exc:
            theirs = error_data or {}
            if exc.data.get("kind") == "shape" and theirs.get("kind") == "shape" and \
                    exc.data.get("actual") == tuple(theirs.get("actual", ())) and \
                    exc.data.get("tensor") == theirs.get("tensor"):
                return pid
            continue
        except Exception:  # noqa: BLE001 - a variant that cannot run here explains nothing
            continue
        if error_data or out is None:
            continue
        if same(r_out, out, rtol) and all(same(r_grads[g], grads[g], rtol) for g in r_grads):
            return pid
    return ""
