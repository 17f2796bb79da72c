"""PyTorch's own ops for the CS231n layer kinds: forward, then autograd with a given dout.

``torch_layer(kind, arrays, extra, dout) -> (out, grads)``: ``arrays`` are the
differentiable inputs by name (float64 numpy), ``extra`` the rest (labels, stride, the
dropout mask...), ``dout`` the upstream gradient (None for the loss kinds, whose output is a
scalar). ``grads`` has one array per name in ``arrays``. Built from torch.nn.functional, not
from the reference: an independent answer. torch is imported on the first call.

Each op below is ``op(torch, arrays, extra) -> out`` and is named after its kind; the kind's
record (:mod:`oracles.layer_kinds`) holds it, and :func:`torch_layer` finds it there.
"""

from __future__ import annotations

import numpy as np

__all__ = ["torch_layer"]


def _p(e: dict) -> dict:
    """The kind's parameter dict (conv_param, pool_param, bn_param...), or ``e`` itself."""
    return e.get("param", e)


def affine(t, a, e):
    x = a["x"]
    return x.reshape(x.shape[0], -1) @ a["w"] + a["b"]


def batchnorm(t, a, e):
    F = t.nn.functional
    p = _p(e)
    if p.get("mode") == "test":
        mean, var = (t.as_tensor(p[k], dtype=t.float64) for k in ("running_mean", "running_var"))
        return F.batch_norm(a["x"], mean, var, a["gamma"], a["beta"], training=False,
                            eps=p.get("eps", 1e-5))
    return F.batch_norm(a["x"], None, None, a["gamma"], a["beta"], training=True,
                        eps=p.get("eps", 1e-5))


def dropout(t, a, e):
    if _p(e).get("mode") == "test":
        return a["x"] * 1.0  # inverted dropout: the identity at test time
    return a["x"] * t.as_tensor(e["mask"])


def layernorm(t, a, e):
    F = t.nn.functional
    x = a["x"]
    return F.layer_norm(x, (x.shape[1],), a["gamma"], a["beta"], eps=_p(e).get("eps", 1e-5))


def svm_loss(t, a, e):
    x, y = a["x"], t.as_tensor(e["y"])
    # multi_margin_loss divides by the number of classes; the CS231n loss does not
    return t.nn.functional.multi_margin_loss(x, y, margin=1.0) * x.shape[1]


def conv(t, a, e):
    return t.nn.functional.conv2d(a["x"], a["w"], a["b"], stride=_p(e)["stride"], padding=_p(e)["pad"])


def max_pool(t, a, e):
    p = _p(e)
    return t.nn.functional.max_pool2d(a["x"], (p["pool_height"], p["pool_width"]), p["stride"])


def avg_pool(t, a, e):
    p = _p(e)
    return t.nn.functional.avg_pool2d(a["x"], (p["pool_height"], p["pool_width"]), p["stride"])


def relu(t, a, e):
    return t.relu(a["x"])


def leaky_relu(t, a, e):
    return t.nn.functional.leaky_relu(a["x"], e["alpha"])


def sigmoid(t, a, e):
    return t.sigmoid(a["x"])


def tanh(t, a, e):
    return t.tanh(a["x"])


def softmax_loss(t, a, e):
    return t.nn.functional.cross_entropy(a["x"], t.as_tensor(e["y"]))


def rnn_step(t, a, e):
    return t.tanh(a["x"] @ a["Wx"] + a["prev_h"] @ a["Wh"] + a["b"])


def word_embedding(t, a, e):
    return t.nn.functional.embedding(t.as_tensor(e["x"]), a["W"])


def torch_layer(kind: str, arrays: dict, extra: dict, dout) -> tuple[np.ndarray, dict]:
    import torch  # lazy: importing the oracles costs no framework

    from .layer_kinds import KINDS  # the records hold this module's ops

    leaves = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in arrays.items()}
    out = KINDS[kind].torch(torch, leaves, extra)
    if dout is None:
        out.backward()
    elif out.requires_grad:  # (a test-mode forward is compared alone)
        out.backward(torch.tensor(dout, dtype=torch.float64))
    grads = {k: (v.grad.numpy().copy() if v.grad is not None else np.zeros(arrays[k].shape))
             for k, v in leaves.items()}
    return out.detach().numpy().copy(), grads
