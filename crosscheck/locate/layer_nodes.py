"""The reference's intermediates of a CS231n layer pair (``verify-layer``) and of a CNN
(``verify --cnn``), as the matcher's chain (:class:`crosscheck.locate.match.Node`), beside
the MLP's :func:`crosscheck.locate.match.mlp_nodes`.

A layer's chain is its forward pieces in the order the reference computes them, ``out``, then
its backward pieces from ``dout`` to each input's gradient. What the reference knows but the
chain does not need (the inputs, ``dout``, the padded input of a convolution, the staged
pieces of a batch norm's backward, a ReLU's mask) is ``aux``: matched, never pointed at.
A CNN's chain is each layer's output, then the gradient flowing into each layer's output
from the last layer down, with the parameter gradients of each layer beside it
(``reference.cnn_network.cnn_loss_and_grads``'s ``trail``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from crosscheck.layers.kinds import KINDS
from crosscheck.locate.match import Node
from crosscheck.reference import cnn_layers as R

__all__ = ["cnn_nodes", "layer_nodes"]


def _aux(key: str, value, label: str | None = None) -> Node:
    return Node(key, label or key, np.asarray(value, dtype=float), aux=True)


def _fwd(key: str, value, deps: tuple, label: str | None = None, **kw) -> Node:
    return Node(key, label or f"{key} (forward)", np.asarray(value, dtype=float), deps, **kw)


def _grad(key: str, value, deps: tuple, label: str | None = None, **kw) -> Node:
    return Node(key, label or key, np.asarray(value, dtype=float), deps, gradient=True, **kw)


def layer_nodes(kind: str, arrays: dict, extra: dict, dout, forward_only: bool = False,
                out=None) -> list[Node]:
    """The chain of one layer case: ``arrays`` and ``extra`` as the pair was given them,
    ``dout`` the upstream gradient (None for a loss kind), ``forward_only`` a test-mode case.
    ``out``: the pair's own output, read for dropout (its mask is the pair's own draw)."""
    a = {k: np.asarray(v, dtype=float) for k, v in arrays.items()}
    # the inputs and dout start the chain: right as given, so a first line that goes wrong
    # can be named even when nothing the pair computes matches
    nodes = [Node(k, k, v) for k, v in a.items()]
    if dout is not None and not forward_only:
        nodes.append(Node("dout", "dout", np.asarray(dout, dtype=float)))
    build = _BUILDERS[kind]
    nodes += build(a, extra, None if forward_only else np.asarray(dout, dtype=float)
                   if dout is not None else None, out)
    layer = KINDS[kind]
    slots = {"out": "return[0]"} if not layer.loss else {"dx": "return[1]"}
    if not layer.loss:
        slots.update({f"d{k}": "return" if len(layer.inputs) == 1 else f"return[{i}]"
                      for i, k in enumerate(layer.inputs)})
    return [replace(n, as_is=True, final=n.gradient, layered=True, slot=slots[n.key])
            if n.key in slots and not n.aux else replace(n, layered=True) for n in nodes]


def _affine(a, extra, dout, out):
    x, w, b = a["x"], a["w"], a["b"]
    rows = x.reshape(x.shape[0], -1)
    nodes = [_aux("x rows", rows, "x as rows (N, D)"),
             _fwd("out", rows @ w + b, ("x",), "out = x @ w + b"),
             _aux("x @ w", rows @ w)]
    if dout is not None:
        nodes += [_grad("dx rows", dout @ w.T, ("dout",), "dL/dx as rows (dout @ w.T)"),
                  _grad("dx", (dout @ w.T).reshape(x.shape), ("dx rows",), "dL/dx"),
                  _grad("dw", rows.T @ dout, ("dout",), "dL/dw",
                        per_sample=np.einsum("bi,bj->bij", rows, dout)),
                  _grad("db", dout.sum(axis=0), ("dout",), "dL/db")]
    return nodes


def _elementwise(name, forward, slope_of):
    """A kind out = f(x), dx = dout * f'(x): ``slope_of(x, out, extra)`` is f'."""
    def build(a, extra, dout, out):
        x = a["x"]
        args = (x, extra["alpha"]) if name == "leaky_relu" else (x,)
        ref = forward(*args)[0]
        slope = slope_of(x, ref, extra)
        nodes = [_fwd("out", ref, ("x",), f"out = {name}(x)"),
                 _aux("slope", slope, f"{name}'(x)")]
        if name in ("relu", "leaky_relu"):
            nodes.append(_aux("x > 0", (x > 0).astype(float)))
        if dout is not None:
            nodes.append(_grad("dx", dout * slope, ("dout",), "dL/dx", sign_of="x"))
        return nodes
    return build


def _softmax_loss(a, extra, dout, out):
    x, y = a["x"], np.asarray(extra["y"])
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    probs = e / e.sum(axis=1, keepdims=True)
    onehot = np.zeros_like(x)
    onehot[np.arange(n), y] = 1.0
    return [_aux("shifted", shifted, "x - max(x)"), _aux("exp", e, "exp(x - max(x))"),
            _aux("log_p", shifted - np.log(e.sum(axis=1, keepdims=True)), "log softmax(x)"),
            _aux("onehot", onehot),
            _fwd("probs", probs, ("x",), "softmax(x)"),
            _grad("dx", (probs - onehot) / n, ("probs",), "dL/dx", final=True)]


def _svm_loss(a, extra, dout, out):
    x, y = a["x"], np.asarray(extra["y"])
    n = x.shape[0]
    correct = x[np.arange(n), y][:, None]
    raw = x - correct + 1.0
    margins = np.maximum(0.0, raw)
    margins[np.arange(n), y] = 0.0
    active = (margins > 0).astype(float)
    dx = active.copy()
    dx[np.arange(n), y] = -active.sum(axis=1)
    return [_aux("raw margins", raw, "x - x[y] + 1"), _aux("active", active, "margins > 0"),
            _fwd("margins", margins, ("x",), "the margins max(0, x - x[y] + 1)"),
            _grad("dx", dx / n, ("margins",), "dL/dx", final=True)]


def _norm(axis: int):
    """Batch norm (axis 0: over the batch) or layer norm (axis 1: over each row)."""
    def build(a, extra, dout, out):
        x, gamma, beta = a["x"], a["gamma"], a["beta"]
        param = extra["param"]
        eps = param.get("eps", 1e-5)
        if axis == 0 and param.get("mode", "train") == "test":
            xhat = (x - param["running_mean"]) / np.sqrt(param["running_var"] + eps)
            return [_aux("running std", np.sqrt(param["running_var"] + eps)),
                    _fwd("xhat", xhat, ("x",), "xhat (with the running statistics)"),
                    _fwd("out", gamma * xhat + beta, ("xhat",), "out = gamma * xhat + beta")]
        n = x.shape[axis]
        mu = x.mean(axis=axis, keepdims=True)
        xc = x - mu
        var = (xc ** 2).mean(axis=axis, keepdims=True)
        std = np.sqrt(var + eps)
        xhat = xc / std
        nodes = [_fwd("mu", mu, ("x",), "the mean"), _fwd("xc", xc, ("mu",), "x - mean"),
                 _aux("xc^2", xc ** 2), _fwd("var", var, ("xc",), "the variance"),
                 _aux("var + eps", var + eps), _fwd("std", std, ("var",), "sqrt(var + eps)"),
                 _aux("1/std", 1.0 / std), _fwd("xhat", xhat, ("std",), "xhat = (x - mean) / std"),
                 _aux("gamma * xhat", gamma * xhat),
                 _fwd("out", gamma * xhat + beta, ("xhat",), "out = gamma * xhat + beta")]
        if dout is None:
            return nodes
        dxhat = dout * gamma
        # the staged backward's pieces (CS231n's computational graph), known, never pointed at
        divar = (dxhat * xc).sum(axis=axis, keepdims=True)
        dxc1 = dxhat / std
        dstd = -divar / std ** 2
        dvar = 0.5 * dstd / std
        dsq = np.ones_like(x) * dvar / n
        dxc2 = 2 * xc * dsq
        dmu = -(dxc1 + dxc2).sum(axis=axis, keepdims=True)
        dx = dxc1 + dxc2 + np.ones_like(x) * dmu / n
        staged = {"divar": divar, "dxc1": dxc1, "dstd": dstd, "dvar": dvar, "dsq": dsq,
                  "dxc2": dxc2, "dxc": dxc1 + dxc2, "dmu": dmu, "dmu/N": dmu / n}
        nodes += [_aux(k, v) for k, v in staged.items()]
        nodes += [_grad("dbeta", dout.sum(axis=0), ("dout",), "dL/dbeta"),
                  _grad("dgamma", (dout * xhat).sum(axis=0), ("dout",), "dL/dgamma"),
                  _grad("dxhat", dxhat, ("dout",), "dL/dxhat"),
                  _aux("N dxhat", n * dxhat),
                  _aux("sum dxhat", dxhat.sum(axis=axis, keepdims=True)),
                  _aux("sum dxhat xhat", (dxhat * xhat).sum(axis=axis, keepdims=True)),
                  _grad("dx", dx, ("dxhat",), "dL/dx", final=True)]
        return nodes
    return build


def _dropout(a, extra, dout, out):
    x = a["x"]
    param = extra["param"]
    if param.get("mode", "train") == "test":
        return [_fwd("out", x, ("x",), "out = x (test mode)")]
    if out is None:
        return []
    drawn = np.divide(np.asarray(out, dtype=float), x, out=np.zeros_like(x), where=x != 0)
    mask = (drawn != 0) / param["p"]  # the entries the pair kept (its own draw), scaled 1/p
    nodes = [_aux("mask", mask, "the mask (kept / p)"), _aux("kept", (drawn != 0) * 1.0),
             _fwd("out", x * mask, ("x",), "out = x * mask / p")]
    if dout is not None:
        nodes.append(_grad("dx", dout * mask, ("dout",), "dL/dx"))
    return nodes


def _conv(a, extra, dout, out):
    x, w, b = a["x"], a["w"], a["b"]
    param = extra["param"]
    s, p = param.get("stride", 1), param.get("pad", 0)
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    ref, cache = R.conv_forward(x, w, b, param)
    nodes = [_aux("x padded", xp), _fwd("out", ref, ("x",), "out (the convolution)")]
    if p:
        nodes.append(_aux("out - b", ref - b[None, :, None, None]))
    if dout is None:
        return nodes
    dx, dw, db = R.conv_backward(dout, cache)
    dxp = np.pad(dx, ((0, 0), (0, 0), (p, p), (p, p)))
    # one sample's share of dw and db, for code that loops over the batch
    shares_w = np.stack([R.conv_backward(dout[i:i + 1], (x[i:i + 1], w, s, p))[1]
                         for i in range(x.shape[0])])
    nodes += [_grad("dw", dw, ("dout",), "dL/dw", per_sample=shares_w),
              _grad("db", db, ("dout",), "dL/db", per_sample=dout.sum(axis=(2, 3))),
              _grad("dx padded", dxp, ("dout",), "dL/dx with its padding"),
              _grad("dx", dx, ("dx padded",), "dL/dx")]
    return nodes


def _pool(name):
    def build(a, extra, dout, out):
        x = a["x"]
        forward, backward = getattr(R, f"{name}_forward"), getattr(R, f"{name}_backward")
        ref, cache = forward(x, extra["param"])
        nodes = [_fwd("out", ref, ("x",), f"out ({name.replace('_', ' ')})")]
        if dout is not None:
            nodes.append(_grad("dx", backward(dout, cache), ("dout",), "dL/dx"))
        return nodes
    return build


def _rnn_step(a, extra, dout, out):
    x, h, wx, wh, b = a["x"], a["prev_h"], a["Wx"], a["Wh"], a["b"]
    z = x @ wx + h @ wh + b
    nxt = np.tanh(z)
    nodes = [_aux("x @ Wx", x @ wx), _aux("prev_h @ Wh", h @ wh),
             _fwd("z", z, ("x",), "the pre-activation x @ Wx + prev_h @ Wh + b"),
             _fwd("next_h", nxt, ("z",), "next_h = tanh(z)"),
             _aux("1 - next_h^2", 1 - nxt ** 2)]
    if dout is None:
        return nodes
    dz = dout * (1 - nxt ** 2)
    nodes += [_grad("dz", dz, ("dout",), "dL/dz (before the tanh)"),
              _grad("dx", dz @ wx.T, ("dz",), "dL/dx"),
              _grad("dprev_h", dz @ wh.T, ("dz",), "dL/dprev_h"),
              _grad("dWx", x.T @ dz, ("dz",), "dL/dWx"),
              _grad("dWh", h.T @ dz, ("dz",), "dL/dWh"),
              _grad("db", dz.sum(axis=0), ("dz",), "dL/db")]
    return nodes


def _word_embedding(a, extra, dout, out):
    W, idx = a["W"], np.asarray(extra["x"])
    nodes = [_fwd("out", W[idx], ("W",), "out = W[x]")]
    if dout is not None:
        dW = np.zeros_like(W)
        np.add.at(dW, idx, dout)
        nodes.append(_grad("dW", dW, ("dout",), "dL/dW"))
    return nodes


_BUILDERS = {
    "affine": _affine,
    "relu": _elementwise("relu", R.relu_forward, lambda x, o, e: (x > 0).astype(float)),
    "leaky_relu": _elementwise("leaky_relu", R.leaky_relu_forward,
                               lambda x, o, e: np.where(x > 0, 1.0, e["alpha"])),
    "sigmoid": _elementwise("sigmoid", R.sigmoid_forward, lambda x, o, e: o * (1 - o)),
    "tanh": _elementwise("tanh", R.tanh_forward, lambda x, o, e: 1 - o * o),
    "softmax_loss": _softmax_loss,
    "svm_loss": _svm_loss,
    "batchnorm": _norm(0),
    "layernorm": _norm(1),
    "dropout": _dropout,
    "conv": _conv,
    "max_pool": _pool("max_pool"),
    "avg_pool": _pool("avg_pool"),
    "rnn_step": _rnn_step,
    "word_embedding": _word_embedding,
}


# ---- a CNN: every layer's output and the gradient flowing into it --------------------------

def cnn_nodes(params: dict, X, Y, spec) -> list[Node]:
    """The chain of a CNN case from the reference's trail (``cnn_loss_and_grads``)."""
    from crosscheck.reference.cnn_network import cnn_loss_and_grads
    from crosscheck.reference.cnn_spec import Conv, ReLU

    trail: dict = {}
    cnn_loss_and_grads(params, X, Y, spec, trail=trail)
    outs, ups, data, grads = trail["outputs"], trail["upstream"], trail["data"], trail["grads"]
    owner = trail["owners"]  # layer index -> its parameter names
    nodes = [_aux("X", X), _aux("a0", X, "X")]
    for name, value in params.items():
        nodes.append(_aux(name, value))
    kinds = [type(layer).__name__.lower() for layer in spec.layers]
    for i, (layer, value) in enumerate(zip(spec.layers, outs, strict=True)):
        if isinstance(layer, Conv) and layer.pad:
            p = layer.pad
            nodes.append(_aux(f"a{i} padded", np.pad(outs[i - 1] if i else X,
                                                     ((0, 0), (0, 0), (p, p), (p, p)))))
        nodes.append(Node(f"a{i + 1}", f"the output of layer {i + 1} ({kinds[i]})",
                          np.asarray(value, float), (f"a{i}",), layer=i + 1))
    scores = outs[-1]
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    nodes += [_aux("shifted", shifted, "scores - max(scores)"), _aux("exp", e),
              _aux("softmax", e / e.sum(axis=1, keepdims=True), "softmax(scores)")]
    last = len(spec.layers)
    for i in range(last, 0, -1):
        up = ups[i - 1]  # dL/d(output of layer i)
        relu_next = i < last and isinstance(spec.layers[i], ReLU)
        nodes.append(Node(f"da{i}", f"dL/d(output of layer {i}) ({kinds[i - 1]})",
                          np.asarray(up, float), (f"a{i}",) if i == last else (f"da{i + 1}",),
                          gradient=True, layer=i, sign_of=f"a{i}" if relu_next else ""))
        for name in owner.get(i - 1, ()):
            l2 = not np.array_equal(data[name], grads[name])
            nodes.append(Node(f"d{name}", f"dL/d{name} (layer {i})"
                              + (", without its L2 term" if l2 else ""),
                              np.asarray(data[name], float), (f"da{i}",), gradient=True,
                              layer=i, final=not l2))
            if l2:
                nodes.append(Node(f"grad_{name}", f"dL/d{name} (layer {i})",
                                  np.asarray(grads[name], float), (f"d{name}",),
                                  gradient=True, layer=i, final=True))
    return [replace(n, layered=True) for n in nodes]
