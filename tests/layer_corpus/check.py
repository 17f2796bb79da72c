#!/usr/bin/env python
"""Check every MANIFEST.json entry against PyTorch (float64).

For each (file, kind) entry the layer is run on a handful of cases per kind
(random shapes, batch 1, odd sizes, stride 1/2, pad 0/1/2, ties, repeated
indices, exact zeros, test modes, ...). Forward outputs are compared with
torch ops; backward outputs are compared with torch autograd driven by a
random upstream gradient (losses: the gradient of the scalar loss).

A "pass" entry must agree on every tensor of every case. A "fail" entry
must disagree somewhere, and the set of tensors that ever disagree must be
exactly the manifest's bug.tensors. One line is printed per entry; the
exit status is 1 if any truth is contradicted.

Usage:  python check.py [-v] [substring ...]
"""
import copy
import importlib.util
import json
import os
import sys
import warnings
import zlib
from pathlib import Path

sys.dont_write_bytecode = True

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from buggy_lines import entry_line_problems  # noqa: E402  (the buggy lines quote the source)

RTOL = 1e-8  # max |a - b| <= RTOL * max(1, max |b|)

torch.set_default_dtype(torch.float64)


def T(a, grad=True):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def npy(t):
    return t.detach().numpy()


def close(a, b):
    try:
        a = np.asarray(a, dtype=np.float64)
    except Exception:
        return False
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    if not np.all(np.isfinite(a)):
        return False
    if a.size == 0:
        return True
    scale = max(1.0, float(np.max(np.abs(b))))
    return float(np.max(np.abs(a - b))) <= RTOL * scale


def backprop(outputs, inputs, douts):
    """Gradients of sum(out * dout) wrt inputs."""
    torch.autograd.backward(outputs, [torch.tensor(d) for d in douts])
    return [npy(i.grad) if i.grad is not None else np.zeros(i.shape) for i in inputs]


# --------------------------------------------------------------------------
# Cases per kind. Each case: (name, dict of numpy inputs / params).
# --------------------------------------------------------------------------

def affine_cases():
    out = []
    for name, xshape, M in [
        ("2d", (4, 5), 3),
        ("batch1", (1, 7), 2),
        ("3d-input", (3, 2, 3), 4),
        ("4d-input-odd", (2, 3, 1, 5), 5),
    ]:
        r = np.random.default_rng(len(out) + 11)
        D = int(np.prod(xshape[1:]))
        out.append((name, dict(x=r.standard_normal(xshape), w=r.standard_normal((D, M)),
                               b=r.standard_normal(M))))
    return out


def act_cases():
    out = []
    specs = [("2d", (5, 7), 0.0), ("batch1", (1, 3), 0.0), ("4d", (2, 3, 4, 5), 0.0),
             ("exact-zeros", (6, 9), 0.3)]
    for k, (name, shape, zero_frac) in enumerate(specs):
        r = np.random.default_rng(100 + k)
        x = 2.0 * r.standard_normal(shape)
        if zero_frac:
            x[r.random(shape) < zero_frac] = 0.0
        out.append((name, dict(x=x)))
    return out


def loss_cases():
    out = []
    specs = [("5x4", 5, 4, 1.0), ("batch1", 1, 3, 1.0), ("7x10", 7, 10, 1.0),
             ("large-scores", 4, 5, 1000.0)]
    for k, (name, N, C, scale) in enumerate(specs):
        r = np.random.default_rng(200 + k)
        out.append((name, dict(x=scale * r.standard_normal((N, C)), y=r.integers(0, C, N))))
    return out


def batchnorm_cases():
    out = []
    specs = [  # name, N, D, scale, running stats given, momentum, mode
        ("train-6x4-fresh-stats", 6, 4, 1.0, False, None, "train"),
        ("train-9x5-given-stats", 9, 5, 2.0, True, 0.8, "train"),
        ("train-batch1", 1, 3, 1.0, True, None, "train"),
        ("train-low-variance", 6, 4, 1e-3, True, None, "train"),
        ("test-mode", 5, 4, 1.0, True, None, "test"),
    ]
    for k, (name, N, D, scale, given, mom, mode) in enumerate(specs):
        r = np.random.default_rng(300 + k)
        p = {"mode": mode}
        if mom is not None:
            p["momentum"] = mom
        if given:
            p["running_mean"] = r.standard_normal(D)
            p["running_var"] = r.random(D) + 0.5
        out.append((name, dict(x=scale * r.standard_normal((N, D)) + r.standard_normal(D) * scale,
                               gamma=r.standard_normal(D), beta=r.standard_normal(D),
                               bn_param=p)))
    return out


def layernorm_cases():
    out = []
    for k, (name, N, D, scale, eps) in enumerate([
        ("4x6", 4, 6, 1.0, None), ("batch1", 1, 5, 1.0, None), ("7x3-eps1e-3", 7, 3, 3.0, 1e-3),
        ("low-variance", 5, 4, 1e-3, None),
    ]):
        r = np.random.default_rng(400 + k)
        ln = {} if eps is None else {"eps": eps}
        out.append((name, dict(x=scale * r.standard_normal((N, D)) + r.standard_normal((N, 1)),
                               gamma=r.standard_normal(D), beta=r.standard_normal(D),
                               ln_param=ln)))
    return out


def dropout_cases():
    out = []
    for k, (name, shape, param) in enumerate([
        ("train-p0.5-seed", (5, 6), {"p": 0.5, "mode": "train", "seed": 1}),
        ("train-batch1-p0.8-seed", (1, 7), {"p": 0.8, "mode": "train", "seed": 3}),
        ("train-3d-p0.3-seed", (3, 4, 5), {"p": 0.3, "mode": "train", "seed": 0}),
        ("train-p0.6-no-seed", (6, 5), {"p": 0.6, "mode": "train"}),
        ("test-mode", (4, 4), {"p": 0.5, "mode": "test"}),
    ]):
        r = np.random.default_rng(500 + k)
        out.append((name, dict(x=r.standard_normal(shape) + 0.1, dropout_param=param)))
    return out


def conv_cases():
    out = []
    for k, (name, xs, ws, s, p) in enumerate([
        ("s1-p1-3x3", (2, 3, 5, 5), (4, 3, 3, 3), 1, 1),
        ("s2-p0-3x2", (1, 2, 7, 6), (3, 2, 3, 2), 2, 0),
        ("s2-p2-2x3", (2, 1, 6, 5), (2, 1, 2, 3), 2, 2),
        ("s1-p0-1x1", (3, 2, 4, 4), (2, 2, 1, 1), 1, 0),
        ("s2-p0-uneven", (1, 2, 6, 6), (2, 2, 3, 3), 2, 0),
        ("s3-p1-odd", (2, 3, 7, 5), (2, 3, 3, 3), 3, 1),
    ]):
        r = np.random.default_rng(600 + k)
        out.append((name, dict(x=r.standard_normal(xs), w=r.standard_normal(ws),
                               b=r.standard_normal(ws[0]),
                               conv_param={"stride": s, "pad": p})))
    return out


def pool_cases():
    out = []
    for k, (name, xs, ph, pw, s, ties) in enumerate([
        ("2x2-s2", (2, 3, 4, 4), 2, 2, 2, False),
        ("3x3-s2-overlap", (1, 1, 5, 5), 3, 3, 2, False),
        ("2x3-s1-overlap", (2, 2, 6, 5), 2, 3, 1, False),
        ("2x2-s2-uneven-batch1", (1, 2, 7, 7), 2, 2, 2, False),
        ("ties-2x2-s2", (2, 2, 4, 6), 2, 2, 2, True),
        ("ties-3x3-s1-overlap", (1, 2, 5, 5), 3, 3, 1, True),
    ]):
        r = np.random.default_rng(700 + k)
        x = r.integers(0, 3, xs).astype(np.float64) if ties else r.standard_normal(xs)
        out.append((name, dict(x=x, pool_param={"pool_height": ph, "pool_width": pw,
                                                 "stride": s})))
    return out


def rnn_cases():
    out = []
    for k, (name, N, D, H) in enumerate([("3x4x5", 3, 4, 5), ("batch1", 1, 2, 3),
                                         ("6x7x2", 6, 7, 2)]):
        r = np.random.default_rng(800 + k)
        out.append((name, dict(x=r.standard_normal((N, D)), prev_h=r.standard_normal((N, H)),
                               Wx=0.5 * r.standard_normal((D, H)),
                               Wh=0.5 * r.standard_normal((H, H)),
                               b=r.standard_normal(H))))
    return out


def embedding_cases():
    r = np.random.default_rng(900)
    return [
        ("distinct-indices", dict(x=r.permutation(10)[:4].reshape(1, 4),
                                  W=r.standard_normal((10, 3)))),
        ("repeated-indices", dict(x=r.integers(0, 4, (2, 5)), W=r.standard_normal((4, 3)))),
        ("repeated-batch3", dict(x=np.array([[1, 1, 1], [0, 1, 2], [2, 2, 5]]),
                                 W=r.standard_normal((6, 4)))),
    ]


# --------------------------------------------------------------------------
# Runners: given the module and a case, return (got, expected) dicts.
# --------------------------------------------------------------------------

def dout_like(shape, key):
    """A random upstream gradient, reproducible per kind and shape."""
    seed = zlib.crc32(("%s%s" % (key, tuple(shape))).encode())
    return np.random.default_rng(seed).standard_normal(shape)


def run_affine(mod, c):
    x, w, b = c["x"], c["w"], c["b"]
    out, cache = mod.affine_forward(x.copy(), w.copy(), b.copy())
    g = dout_like((x.shape[0], w.shape[1]), "affine")
    dx, dw, db = mod.affine_backward(g.copy(), cache)
    tx, tw, tb = T(x), T(w), T(b)
    to = F.linear(tx.reshape(x.shape[0], -1), tw.t(), tb)
    ex = backprop([to], [tx, tw, tb], [g])
    return ({"out": out, "dx": dx, "dw": dw, "db": db},
            {"out": npy(to), "dx": ex[0], "dw": ex[1], "db": ex[2]})


def make_act_runner(kind, torch_fn, extra_cases=None):
    def run(mod, c):
        x = c["x"]
        kwargs = c.get("kwargs", {})
        out, cache = getattr(mod, kind + "_forward")(x.copy(), **kwargs)
        g = dout_like(x.shape, kind)
        dx = getattr(mod, kind + "_backward")(g.copy(), cache)
        tx = T(x)
        to = torch_fn(tx, **kwargs)
        (ex,) = backprop([to], [tx], [g])
        return {"out": out, "dx": dx}, {"out": npy(to), "dx": ex}
    return run


def leaky_cases():
    out = []
    for name, c in act_cases():
        out.append((name + "-default-alpha", dict(c)))
        out.append((name + "-alpha0.2", dict(c, kwargs={"alpha": 0.2})))
    return out


def run_softmax(mod, c):
    x, y = c["x"], c["y"]
    loss, dx = mod.softmax_loss(x.copy(), y.copy())
    tx = T(x)
    tl = F.cross_entropy(tx, torch.tensor(y), reduction="mean")
    tl.backward()
    return {"loss": loss, "dx": dx}, {"loss": npy(tl), "dx": npy(tx.grad)}


def run_svm(mod, c):
    x, y = c["x"], c["y"]
    loss, dx = mod.svm_loss(x.copy(), y.copy())
    tx = T(x)
    C = x.shape[1]
    # multi_margin_loss averages the hinge terms over C as well; undo that.
    tl = F.multi_margin_loss(tx, torch.tensor(y), p=1, margin=1.0, reduction="mean") * C
    tl.backward()
    return {"loss": loss, "dx": dx}, {"loss": npy(tl), "dx": npy(tx.grad)}


def run_batchnorm(mod, c):
    x, gamma, beta = c["x"], c["gamma"], c["beta"]
    param = copy.deepcopy(c["bn_param"])
    ref_param = copy.deepcopy(c["bn_param"])
    N, D = x.shape
    eps = ref_param.get("eps", 1e-5)
    mom = ref_param.get("momentum", 0.9)
    rm0 = ref_param.get("running_mean", np.zeros(D))
    rv0 = ref_param.get("running_var", np.zeros(D))
    out, cache = mod.batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), param)
    tx, tg, tb = T(x), T(gamma), T(beta)
    if ref_param["mode"] == "test":
        to = F.batch_norm(tx, torch.tensor(rm0), torch.tensor(rv0), tg, tb,
                          training=False, eps=eps)
        return {"out": out}, {"out": npy(to)}
    if N > 1:
        to = F.batch_norm(tx, None, None, tg, tb, training=True, eps=eps)
    else:  # torch refuses batch statistics of one sample; same formula by hand
        mu = tx.mean(0)
        var = ((tx - mu) ** 2).mean(0)
        to = tg * (tx - mu) / torch.sqrt(var + eps) + tb
    g = dout_like(x.shape, "bn")
    dx, dgamma, dbeta = mod.batchnorm_backward(g.copy(), cache)
    ex = backprop([to], [tx, tg, tb], [g])
    got = {"out": out, "running_mean": param.get("running_mean"),
           "running_var": param.get("running_var"), "dx": dx, "dgamma": dgamma, "dbeta": dbeta}
    exp = {"out": npy(to), "running_mean": mom * rm0 + (1 - mom) * x.mean(0),
           "running_var": mom * rv0 + (1 - mom) * x.var(0),
           "dx": ex[0], "dgamma": ex[1], "dbeta": ex[2]}
    return got, exp


def run_layernorm(mod, c):
    x, gamma, beta, ln = c["x"], c["gamma"], c["beta"], c["ln_param"]
    out, cache = mod.layernorm_forward(x.copy(), gamma.copy(), beta.copy(), dict(ln))
    g = dout_like(x.shape, "ln")
    dx, dgamma, dbeta = mod.layernorm_backward(g.copy(), cache)
    tx, tg, tb = T(x), T(gamma), T(beta)
    to = F.layer_norm(tx, (x.shape[1],), tg, tb, eps=ln.get("eps", 1e-5))
    ex = backprop([to], [tx, tg, tb], [g])
    return ({"out": out, "dx": dx, "dgamma": dgamma, "dbeta": dbeta},
            {"out": npy(to), "dx": ex[0], "dgamma": ex[1], "dbeta": ex[2]})


def run_dropout(mod, c, p_means="keep"):
    """``p_means``: what the layer's ``p`` is, the keep probability (the corpus's
    convention) or the drop probability (``--dropout-p drop``, the 2016-17 handouts)."""
    x, param = c["x"], dict(c["dropout_param"])
    np.random.seed(12345)  # a known global state for layers run without a seed
    out, cache = mod.dropout_forward(x.copy(), param)
    g = dout_like(x.shape, "dropout")
    dx = mod.dropout_backward(g.copy(), cache)
    keep = param["p"] if p_means == "keep" else 1.0 - param["p"]
    if param["mode"] == "test":
        mask = np.ones(x.shape)
    elif "seed" in param and p_means == "keep":
        mask = (np.random.RandomState(param["seed"]).rand(*x.shape) < keep) / keep
    else:
        # The mask cannot be replayed (no seed, or a drop probability that may be
        # drawn either way round); read it off the output (x has no zeros) and
        # check the kept fraction is plausible: the rate, not only the mask.
        kept = np.asarray(out) != 0
        mask = kept / keep
        frac = kept.mean()
        if abs(frac - keep) > 4 * np.sqrt(keep * (1 - keep) / x.size) + 1e-12:
            mask = np.full(x.shape, np.nan)
    tx = T(x)
    to = tx * torch.tensor(mask)
    (ex,) = backprop([to], [tx], [g])
    return {"out": out, "dx": dx}, {"out": npy(to), "dx": ex}


def run_conv(mod, c):
    x, w, b, cp = c["x"], c["w"], c["b"], c["conv_param"]
    out, cache = mod.conv_forward(x.copy(), w.copy(), b.copy(), dict(cp))
    tx, tw, tb = T(x), T(w), T(b)
    to = F.conv2d(tx, tw, tb, stride=cp["stride"], padding=cp["pad"])
    g = dout_like(tuple(to.shape), "conv")
    dx, dw, db = mod.conv_backward(g.copy(), cache)
    ex = backprop([to], [tx, tw, tb], [g])
    return ({"out": out, "dx": dx, "dw": dw, "db": db},
            {"out": npy(to), "dx": ex[0], "dw": ex[1], "db": ex[2]})


def make_pool_runner(kind):
    def run(mod, c):
        x, pp = c["x"], c["pool_param"]
        out, cache = getattr(mod, kind + "_forward")(x.copy(), dict(pp))
        tx = T(x)
        fn = F.max_pool2d if kind == "max_pool" else F.avg_pool2d
        to = fn(tx, kernel_size=(pp["pool_height"], pp["pool_width"]), stride=pp["stride"])
        g = dout_like(tuple(to.shape), kind)
        dx = getattr(mod, kind + "_backward")(g.copy(), cache)
        (ex,) = backprop([to], [tx], [g])
        return {"out": out, "dx": dx}, {"out": npy(to), "dx": ex}
    return run


def run_rnn(mod, c):
    names = ["x", "prev_h", "Wx", "Wh", "b"]
    next_h, cache = mod.rnn_step_forward(*[c[n].copy() for n in names])
    ts = [T(c[n]) for n in names]
    tx, th, twx, twh, tb = ts
    to = torch.tanh(tx @ twx + th @ twh + tb)
    g = dout_like(tuple(to.shape), "rnn")
    grads = mod.rnn_step_backward(g.copy(), cache)
    ex = backprop([to], ts, [g])
    keys = ["dx", "dprev_h", "dWx", "dWh", "db"]
    got = {"next_h": next_h, **dict(zip(keys, grads))}
    exp = {"next_h": npy(to), **dict(zip(keys, ex))}
    return got, exp


def run_embedding(mod, c):
    x, W = c["x"], c["W"]
    out, cache = mod.word_embedding_forward(x.copy(), W.copy())
    tW = T(W)
    to = F.embedding(torch.tensor(x), tW)
    g = dout_like(tuple(to.shape), "emb")
    dW = mod.word_embedding_backward(g.copy(), cache)
    (ex,) = backprop([to], [tW], [g])
    return {"out": out, "dW": dW}, {"out": npy(to), "dW": ex}


KINDS = {
    "affine": (affine_cases, run_affine),
    "relu": (act_cases, make_act_runner("relu", torch.relu)),
    "sigmoid": (act_cases, make_act_runner("sigmoid", torch.sigmoid)),
    "tanh": (act_cases, make_act_runner("tanh", torch.tanh)),
    "leaky_relu": (leaky_cases, make_act_runner(
        "leaky_relu", lambda t, alpha=0.01: F.leaky_relu(t, negative_slope=alpha))),
    "softmax_loss": (loss_cases, run_softmax),
    "svm_loss": (loss_cases, run_svm),
    "batchnorm": (batchnorm_cases, run_batchnorm),
    "layernorm": (layernorm_cases, run_layernorm),
    "dropout": (dropout_cases, run_dropout),
    "conv": (conv_cases, run_conv),
    "max_pool": (pool_cases, make_pool_runner("max_pool")),
    "avg_pool": (pool_cases, make_pool_runner("avg_pool")),
    "rnn_step": (rnn_cases, run_rnn),
    "word_embedding": (embedding_cases, run_embedding),
}


def load(path):
    name = "corpus_" + os.path.relpath(path, HERE).replace(os.sep, "_")[:-3]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# --------------------------------------------------------------------------
# Conventions: valid subgradients at a kink that differ from torch's choice.
# Each maps (kind, case, torch's expected outputs) to the outputs under the
# convention; a "convention" entry must differ from torch, only in its
# tensors, and agree with its convention everywhere.
# --------------------------------------------------------------------------

def _pool_windows(x, pp, dout_shape):
    ph, pw, s = pp["pool_height"], pp["pool_width"], pp["stride"]
    for i in range(dout_shape[2]):
        for j in range(dout_shape[3]):
            yield i, j, (slice(None), slice(None), slice(i * s, i * s + ph), slice(j * s, j * s + pw))


def _pool_ties(pick):
    def adjust(kind, c, exp):
        x, pp = c["x"], c["pool_param"]
        g = dout_like(exp["out"].shape, kind)
        dx = np.zeros_like(x)
        for i, j, win in _pool_windows(x, pp, g.shape):
            region = x[win]
            share = pick(region == region.max(axis=(2, 3), keepdims=True))
            dx[win] += share * g[:, :, i, j][:, :, None, None]
        return dict(exp, dx=dx)
    return adjust


def _last_of(is_max):
    flat = is_max.reshape(is_max.shape[0], is_max.shape[1], -1)
    last = flat.shape[2] - 1 - np.argmax(flat[:, :, ::-1], axis=2)
    one = np.zeros(flat.shape)
    np.put_along_axis(one, last[:, :, None], 1.0, axis=2)
    return one.reshape(is_max.shape)


def _relu_one_at_zero(kind, c, exp):
    x = c["x"]
    return dict(exp, dx=dout_like(x.shape, kind) * (x >= 0))


def _leaky_one_at_zero(kind, c, exp):
    x, alpha = c["x"], c.get("kwargs", {}).get("alpha", 0.01)
    return dict(exp, dx=dout_like(x.shape, kind) * np.where(x >= 0, 1.0, alpha))


CONVENTIONS = {
    "relu-grad-one-at-zero": _relu_one_at_zero,
    "leaky-relu-grad-one-at-zero": _leaky_one_at_zero,
    "max-pool-ties-split-evenly": _pool_ties(lambda m: m / m.sum(axis=(2, 3), keepdims=True)),
    "max-pool-ties-last-maximum": _pool_ties(_last_of),
}


def observe(entry, mod, runner, adjust=None):
    """(tensor -> disagreeing cases, errors, tensors seen with a size-compatible other
    shape) of one run over the kind's cases. Tensors in ``shape_note`` are compared by
    value after a reshape to the expected shape when their sizes match."""
    kind = entry["kind"]
    cases_fn = KINDS[kind][0]
    noted = entry.get("shape_note", [])
    wrong, errors, reshaped = {}, [], set()
    for cname, case in cases_fn():
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                got, exp = runner(mod, copy.deepcopy(case))
                if adjust is not None:
                    exp = adjust(kind, case, exp)
        except Exception as e:  # a crash counts against every tensor of the case
            errors.append("%s: %s: %s" % (cname, type(e).__name__, e))
            continue
        for t in exp:
            value = got[t]
            if t in noted:
                a = np.asarray(value)
                if a.shape != np.shape(exp[t]) and a.size == np.size(exp[t]):
                    reshaped.add(t)
                    value = a.reshape(np.shape(exp[t]))
            if not close(value, exp[t]):
                wrong.setdefault(t, []).append(cname)
    return wrong, errors, reshaped


def _fmt(wrong):
    return "; ".join("%s@%s" % (t, ",".join(cs)) for t, cs in sorted(wrong.items()))


def expect_problems(entry):
    """The flags-and-verdicts table agrees with the entry's verdict and its kind of truth."""
    expect = entry.get("expect", [{"flags": [], "verdict": entry["verdict"]}])
    by_flags = {tuple(e["flags"]): e["verdict"] for e in expect}
    problems = []
    if by_flags.get(()) != entry["verdict"]:
        problems.append("expect without flags says %s" % by_flags.get(()))
    if "convention" in entry:
        if entry["verdict"] != "pass" or by_flags.get(("--strict",)) != "fail":
            problems.append("a convention passes by default and fails with --strict")
    if entry.get("dropout_p") == "drop":
        if entry["verdict"] != "fail" or by_flags.get(("--dropout-p", "drop")) != "pass":
            problems.append("p as the drop probability fails by default, passes with --dropout-p drop")
    return problems


def check_entry(entry, verbose=False):
    """Return (ok, line)."""
    kind = entry["kind"]
    mod = load(os.path.join(HERE, entry["file"]))
    runner = KINDS[kind][1]
    wrong, errors, reshaped = observe(entry, mod, runner)
    if verbose:
        for e in errors:
            print("    error:", e)
    where = _fmt(wrong)
    label = "%s [%s]" % (entry["file"], kind)
    extra = expect_problems(entry)
    missing_note = sorted(set(entry.get("shape_note", [])) - reshaped)
    if missing_note:
        extra.append("shape_note %s but the shapes always match" % missing_note)
    conv = entry.get("convention")
    if conv:
        # differs from torch only where the convention applies, and agrees with it
        adj_wrong, adj_errors, _ = observe(entry, mod, runner, CONVENTIONS[conv["id"]])
        ok = bool(wrong) and set(wrong) <= set(conv["tensors"]) and not errors \
            and not adj_wrong and not adj_errors and not extra
        detail = "convention %s: differs from torch: %s; under the convention: %s" % (
            conv["id"], where or "nowhere", _fmt(adj_wrong) or "agrees")
        if extra:
            detail += "  [" + "; ".join(extra) + "]"
        return ok, "%s %-48s pass  %s" % ("ok  " if ok else "FAIL", label, detail)
    if entry.get("dropout_p") == "drop":
        drop_wrong, drop_errors, _ = observe(entry, mod, lambda m, c: run_dropout(m, c, "drop"))
        if drop_wrong or drop_errors:
            extra.append("with p as the drop probability it still disagrees: %s %s"
                         % (_fmt(drop_wrong), " | ".join(drop_errors)))
    if entry["verdict"] == "pass":
        ok = not wrong and not errors and not extra
        detail = "agrees on all cases" if ok else "DISAGREES: " + (where or "") + \
            (" errors: " + " | ".join(errors) if errors else "")
        if extra:
            detail += "  [" + "; ".join(extra) + "]"
        return ok, "%s %-48s pass  %s" % ("ok  " if ok else "FAIL", label, detail)
    bug = entry["bug"]
    claimed = set(bug["tensors"])
    seen = set(wrong)
    if bug.get("part") == "shape":  # the shape is the bug: the values must agree
        seen = set(reshaped) | set(wrong)
    revealed = bool(wrong) or bool(errors) or bool(seen)
    ok = revealed and (seen == claimed or (errors and seen <= claimed)) and not extra
    detail = "bug %s revealed: %s" % (bug["id"], where or "-")
    if errors:
        detail += " errors: " + " | ".join(errors)
    if not revealed:
        detail = "bug %s NOT revealed (agrees everywhere)" % bug["id"]
    elif seen != claimed:
        detail += "  [manifest tensors %s, observed %s]" % (sorted(claimed), sorted(seen))
    if extra:
        detail += "  [" + "; ".join(extra) + "]"
    return ok, "%s %-48s fail  %s" % ("ok  " if ok else "FAIL", label, detail)


def main(argv):
    verbose = "-v" in argv
    filters = [a for a in argv if a != "-v"]
    with open(os.path.join(HERE, "MANIFEST.json")) as f:
        manifest = json.load(f)
    bad = 0
    n = 0
    for entry in manifest:
        if filters and not any(s in entry["file"] + ":" + entry["kind"] for s in filters):
            continue
        n += 1
        try:
            ok, line = check_entry(entry, verbose)
        except Exception as e:
            ok, line = False, "FAIL %s [%s] could not be checked: %r" % (
                entry["file"], entry["kind"], e)
        for p in entry_line_problems(Path(HERE), entry):  # the buggy lines quote the source
            ok, line = False, ("FAIL" + line[4:] if line.startswith("ok  ") else line) + "  LINES: " + p
        bad += not ok
        print(line)
    print("%d entries checked, %d truths contradicted" % (n, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
