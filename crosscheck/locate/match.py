"""The matcher: runs in the parent, matches the arrays the user's lines bound (trace.py) to
the reference's intermediates on the same inputs, and names the first line that goes wrong.

A record matches an intermediate when it equals it within the subject's dtype tolerance
(crosscheck/engine/tolerances.py), as it is or under one of the conventions real code uses:
a transpose, C or Fortran order of an unrolled vector, a per-sample slice (one row, for code
that loops over samples), the bias column 0 of the Theta layout, and, for gradients only, a
scalar that the contract explains (:data:`FACTORS`: 1/batch, batch, 2, 1/2, n_out and their
products). A scaled match is followed through the data flow: it is fine when a later
intermediate matches exactly (the code divides by the batch later), and the first line that
carries the factor otherwise.

The intermediates form a chain (:class:`Node` with its ``deps``): z, a forward per layer,
then dL/da, dL/dz, dL/dW, dL/db backwards. The first node in that order that no record
matches, and whose descendants no record matches either (a node computed inline is fine when
what it feeds is right), is where the code goes wrong. The line pointed at is the first
record after the node's inputs were last seen right whose shape fits the node (same role by
shape and data flow) and which matches nothing the reference computes. When there is no such
record, the answer says that nothing could be matched, and why; it never guesses.
"""

from __future__ import annotations

import linecache
import math
import os
import re
from dataclasses import dataclass, field, replace

import numpy as np

from crosscheck.engine.tolerances import TOLERANCES
from crosscheck.locate.trace import _WORD, Record

__all__ = ["ALL_MATCHED", "FACTORS", "Node", "locate", "locate_shape", "mlp_nodes"]

# how an answer with no departure begins (every intermediate was right on the traced case)
ALL_MATCHED = "every intermediate the reference computes was matched by a line"


@dataclass(frozen=True)
class Node:
    key: str  # "dz1"
    label: str  # "dL/dz1 (layer 1)"
    value: np.ndarray
    deps: tuple = ()  # keys of the nodes it is computed from
    gradient: bool = False  # a backward quantity: scalar conventions allowed
    layer: int = 0
    aux: bool = False  # known to the reference, not on the chain (X, W, softmax, act')
    final: bool = False  # a gradient the function returns
    # one sample's share of it, stacked (batch, ...): a_{l-1}[i]^T dz_l[i] for dW, or None
    per_sample: np.ndarray | None = None
    # the key of the node whose sign tells where a difference sits ("x": "only where x <= 0");
    # "" for the MLP's own rule (dz and act' against z of their layer)
    sign_of: str = ""
    # what a layer returns: matched as it is (or an (N, C, H, W) array unflattened in C
    # order), never transposed, since the caller reads it in the contract's shape
    as_is: bool = False
    # a layer's or a CNN's: an unrolled record is only (N, D) for (N, C, H, W) or a 1-D vector,
    # an array filled in a loop is judged by its final value, a scale by its last line
    layered: bool = False
    # how the layer pair hands it back: "return[1]" (a tuple's item), "return", or ""
    slot: str = ""


def _factors(batch: int, n_out: int) -> dict:
    """Name -> value of every scalar the contract explains (see FACTORS), for this case."""
    base = {"batch": batch, "2": 2.0, "n_out": n_out, "batch*n_out": batch * n_out,
            "batch/2": batch / 2, "batch*n_out/2": batch * n_out / 2}
    out = {}
    for name, value in base.items():
        out[name] = value
        out[f"1/({name})" if "*" in name or "/" in name else f"1/{name}"] = 1.0 / value
    return {k: v for k, v in out.items() if v != 1.0}


FACTORS = ("batch", "1/batch", "2", "1/2", "n_out", "1/n_out", "batch*n_out", "1/(batch*n_out)",
           "batch/2", "1/(batch/2)", "batch*n_out/2", "1/(batch*n_out/2)")


def mlp_nodes(found: dict, params: dict, X, Y, spec) -> list[Node]:
    """The chain of an MLP from ``reference.network.intermediates`` plus the known arrays."""
    L = spec.depth
    nodes = [Node("X", "X", np.asarray(X, float), aux=True),
             Node("a0", "X", np.asarray(X, float), aux=True)]
    if np.asarray(Y).dtype.kind == "f":
        nodes.append(Node("Y", "Y", np.asarray(Y, float), aux=True))
    for name, value in params.items():
        nodes.append(Node(name, name, np.asarray(value, float), aux=True))
    out = found[f"a{L}"]
    z = found[f"z{L}"]
    if spec.loss == "softmax_cross_entropy":  # logits shifted before exp: the same softmax
        nodes.append(Node("shifted", "z - max(z)", z - z.max(axis=1, keepdims=True), aux=True))
        nodes.append(Node("shifted_all", "z - max(z)", z - z.max(), aux=True))
        e = np.exp(z - z.max(axis=1, keepdims=True))
        with np.errstate(over="ignore"):  # exp of the logits as code shifts them, or not
            for key, value in (("exp_row", e), ("exp_all", np.exp(z - z.max())),
                               ("exp", np.exp(z))):
                nodes.append(Node(key, "exp(z)", value, aux=True))
        nodes.append(Node("softmax", "softmax(z)", e / e.sum(axis=1, keepdims=True), aux=True))
        log_p = (z - z.max(axis=1, keepdims=True)) - np.log(e.sum(axis=1, keepdims=True))
        nodes.append(Node("log_softmax", "log softmax(z)", log_p, aux=True))
    elif spec.loss == "sigmoid_bce":
        with np.errstate(over="ignore"):
            nodes.append(Node("sigmoid", "sigmoid(z)", 1 / (1 + np.exp(-z)), aux=True))
        nodes.append(Node("log_sigmoid", "log sigmoid(z)", -np.logaddexp(0, -z), aux=True))
        nodes.append(Node("log_1_sigmoid", "log(1 - sigmoid(z))", -np.logaddexp(0, z), aux=True))
    if np.asarray(Y).dtype.kind == "f" and np.shape(Y) == z.shape:  # the loss's own terms
        nodes.append(Node("residual", "out - Y", found[f"a{L}"] - Y, aux=True))
        nodes.append(Node("squares", "(out - Y)^2", (found[f"a{L}"] - Y) ** 2, aux=True))
    del out
    for layer in range(1, L + 1):
        nodes.append(Node(f"z{layer}", f"z{layer} (layer {layer})", found[f"z{layer}"],
                          (f"a{layer - 1}",), layer=layer))
        nodes.append(Node(f"a{layer}", f"a{layer} (layer {layer})", found[f"a{layer}"],
                          (f"z{layer}",), layer=layer))
        nodes.append(Node(f"act'{layer}", f"the activation's derivative (layer {layer})",
                          found[f"act'{layer}"], aux=True, layer=layer))
    # the loss, on the chain after the forward (locate takes it off when the loss the function
    # returns is right); the scalars a loss line is built from are known, never pointed at
    if "loss" in found:
        penalty = found["loss"] - found["data_loss"]
        nodes.append(Node("data_loss", "the loss" + (", without its L2 term" if spec.l2 else ""),
                          found["data_loss"], (f"a{L}",), aux=not spec.l2))
        nodes.append(Node("loss", "the loss", found["loss"],
                          ("data_loss",) if spec.l2 else (f"a{L}",)))
        terms = {}  # the loss's element-wise terms and per-sample losses, as code writes them
        log_p = next((n.value for n in nodes if n.key == "log_softmax"), None)
        if log_p is not None and np.shape(Y) == z.shape:
            terms["Y * log_softmax"] = Y * log_p
            terms["per-sample losses"] = -terms["Y * log_softmax"].sum(axis=1)
        elif spec.loss == "sigmoid_bce" and np.shape(Y) == z.shape:
            terms["the loss's terms"] = np.logaddexp(0, z) - Y * z
            terms["per-sample losses"] = terms["the loss's terms"].sum(axis=1)
        elif spec.loss == "mse" and np.shape(Y) == z.shape:  # summed or averaged per sample
            squares = (found[f"a{L}"] - Y) ** 2
            terms["per-sample losses"] = squares.sum(axis=1)
            terms["per-sample mean losses"] = squares.mean(axis=1)
        for key, value in terms.items():
            nodes.append(Node(key, key, value, aux=True))
            nodes.append(Node(f"-{key}", f"-({key})", -value, aux=True))
        n = X.shape[0]  # the contract's constants, and the L2 coefficients code makes of them
        for key, value in (("l2_penalty", penalty), ("l2", spec.l2), ("batch", n),
                           ("l2 / batch", spec.l2 / n), ("l2 / (2 batch)", spec.l2 / (2 * n))):
            if value:
                nodes.append(Node(key, key, np.asarray(value, dtype=np.float64), aux=True))
    nodes.append(Node(f"da{L}", f"dL/da{L} (layer {L})", found[f"da{L}"], (f"a{L}",),
                      gradient=True, layer=L))
    for layer in range(L, 0, -1):
        nodes.append(Node(f"dz{layer}", f"dL/dz{layer} (layer {layer})", found[f"dz{layer}"],
                          (f"da{layer}",), gradient=True, layer=layer))
        has_l2 = spec.l2 > 0
        shares = np.einsum("bi,bj->bij", found[f"a{layer - 1}"], found[f"dz{layer}"])
        nodes.append(Node(f"dW{layer}", f"dL/dW{layer} (layer {layer})"
                          + (", without its L2 term" if has_l2 else ""), found[f"dW{layer}"],
                          (f"dz{layer}",), gradient=True, layer=layer, final=not has_l2,
                          per_sample=shares))
        if has_l2:
            nodes.append(Node(f"grad_W{layer}", f"dL/dW{layer} (layer {layer})",
                              found[f"grad_W{layer}"], (f"dW{layer}",), gradient=True,
                              layer=layer, final=True))
        if spec.bias:  # a network without biases has no db to look for
            nodes.append(Node(f"db{layer}", f"dL/db{layer} (layer {layer})", found[f"db{layer}"],
                              (f"dz{layer}",), gradient=True, layer=layer, final=True))
        if layer > 1:
            nodes.append(Node(f"da{layer - 1}", f"dL/da{layer - 1} (layer {layer - 1})",
                              found[f"da{layer - 1}"], (f"dz{layer}",), gradient=True,
                              layer=layer - 1))
    return nodes


# ---- matching one record ----------------------------------------------------------------------

@dataclass(frozen=True)
class Match:
    node: str
    factor: str  # "" for an exact match, else a name in FACTORS
    how: str  # "", "transposed", "row i", "F order", ...


_COLUMN0 = "column 0 of the Theta layout"


def _views(r: np.ndarray, n: np.ndarray):
    """(how, array shaped like n, or a stack of per-sample candidates) for the conventions
    (a vector also as a (1, D) row or a (D, 1) column)."""
    views = []
    if n.ndim == 1 and r.ndim == 2 and 1 in r.shape and r.size == n.size:
        views.append(("as a row" if r.shape[0] == 1 else "as a column", r.reshape(n.shape)))
    if r.shape == n.shape:
        views.append(("", r))
    if r.ndim == 2 and r.T.shape == n.shape and r.shape != n.shape:
        views.append(("transposed", r.T))
    if r.ndim == 2 and n.ndim == 2 and r.shape[1] == n.shape[0] + 1 and r.shape[0] == n.shape[1]:
        views.append(("Theta layout", r[:, 1:].T))  # dTheta = [db, dW^T]
    if r.ndim == 2 and n.ndim == 1 and r.shape[0] == n.shape[0] and r.shape[1] >= 2:
        views.append((_COLUMN0, r[:, 0]))
    if r.ndim == 2 and n.ndim == 2 and r.shape == (n.shape[0], n.shape[1] + 1) \
            and np.all(r[:, 0] == 1.0):
        views.append(("after the bias column", r[:, 1:]))
    if r.ndim == 2 and n.ndim == 2 and r.shape == (n.shape[1] + 1, n.shape[0]) \
            and np.all(r[0] == 1.0):
        views.append(("after the bias row, transposed", r[1:].T))
    if r.size == n.size and r.shape != n.shape and r.shape != n.T.shape and n.ndim == 2:
        views.append(("C order", r.reshape(n.shape)))
        views.append(("F order", r.reshape(n.shape, order="F")))
    if r.ndim == 2 and n.ndim == 2 and r.shape == (n.shape[1], n.shape[0]) and r.shape == n.shape:
        views.append(("transposed", r.T))
    if n.ndim >= 3 and r.size == n.size and r.shape != n.shape and (
            r.ndim == 1 or (r.ndim == 2 and r.shape[0] == n.shape[0])):  # (N, C, H, W)
        views.append(("C order", r.reshape(n.shape)))  # flattened as x.reshape(N, -1)
    return views


def _node_views(r: np.ndarray, node: Node):
    """:func:`_views` as the node allows them: what a layer returns as it is, a layer's
    2-D intermediate unrolled only from a vector."""
    views = _views(r, node.value)
    if node.as_is:
        views = [(how, v) for how, v in views if how == ""]
    if node.layered and node.value.ndim == 2 and r.ndim != 1:
        views = [(how, v) for how, v in views if how not in ("C order", "F order")]
    return views


def _rows(r: np.ndarray, n: np.ndarray):
    """A per-sample record: (how, row vector) when r is one sample's slice of n."""
    if n.ndim != 2 or n.shape[0] < 2:
        return None
    width = n.shape[1]
    if r.shape in ((width,), (1, width), (width, 1)):
        return r.reshape(width)
    return None


def _close(a: np.ndarray, b: np.ndarray, tol) -> np.ndarray:
    atol = tol.atol_grad * float(np.max(np.abs(b))) + tol.atol_loss
    return np.abs(a - b) <= atol + tol.rtol * np.abs(b)


def _factor_of(a: np.ndarray, b: np.ndarray, factors: dict, tol, gradient: bool):
    """"" when a equals b, a factor's name when a equals factor * b, else None."""
    if a.shape != b.shape:
        return None
    if np.all(_close(a, b, tol)):
        return ""
    if not gradient:
        return None
    bb = float(np.vdot(b, b))
    if bb == 0.0:
        return None
    c = float(np.vdot(a, b)) / bb
    for name, value in factors.items():
        if math.isclose(c, value, rel_tol=1e-6) and np.all(_close(a, value * b, tol)):
            return name
    return None


def _stepped(r: np.ndarray, node: Node, param: Node | None, tol, rates: tuple):
    """A Match when ``r`` is the node's parameter after a step along it at one of the
    ``rates`` (``W - lr * dW``, in update mode: the gradient is right in it), else None."""
    if param is None or r.shape != param.value.shape or r.shape != node.value.shape:
        return None
    d, n = param.value - r, node.value
    nn = float(np.vdot(n, n))
    if nn == 0.0 or not np.any(d):
        return None
    c = float(np.vdot(d, n)) / nn
    if any(math.isclose(c, rate, rel_tol=1e-6) for rate in rates) \
            and np.all(_close(d, c * n, tol)):
        return Match(node.key, "", f"as a step of {c:.3g} along it")
    return None


def _match(r: np.ndarray, node: Node, factors: dict, tol):
    n = node.value
    views = _node_views(r, node)
    for how, view in views:
        f = _factor_of(view, n, factors, tol, node.gradient)
        if f is not None:
            return Match(node.key, f, how)
    row = _rows(r, n)
    if row is not None:
        for i in range(n.shape[0]):
            f = _factor_of(row, n[i], factors, tol, node.gradient)
            if f is not None:
                return Match(node.key, f, f"sample {i}")
    if r.size == 1 and n.ndim == 1 and "per-sample" in node.key:
        for i in range(n.shape[0]):  # one sample's loss, in a loop over samples
            if np.all(_close(r.reshape(()), n[i], tol)):
                return Match(node.key, "", f"sample {i}")
    if node.per_sample is not None and node.per_sample.shape[0] > 1:
        for how, view in views:
            for i, share in enumerate(node.per_sample):
                f = _factor_of(view, share, factors, tol, node.gradient)
                if f is not None:
                    return Match(node.key, f, f"sample {i}'s share" + (f", {how}" if how else ""))
    return None


def _fits_whole(r: np.ndarray, n: np.ndarray, node: Node | None = None) -> bool:
    # column 0 of a matrix is a Theta layout's bias, never the whole of a node's array
    views = [(how, v) for how, v in _views(r, n) if how != _COLUMN0]
    if node is not None and node.layered and n.ndim == 2 and r.ndim != 1:
        views = [(how, v) for how, v in views if how not in ("C order", "F order")]
    return bool(views)


def _made(records, i: int) -> bool:
    """Whether record ``i`` gave its array a value (not an argument, not the same values
    bound again under another name, returned or handed to a caller)."""
    rec = records[i]
    return not rec.given and not any(
        records[j].ident == rec.ident and records[j].value.shape == rec.value.shape
        and np.array_equal(records[j].value, rec.value) for j in range(i))


def _fits_sample(r: np.ndarray, n: np.ndarray) -> bool:
    return _rows(r, n) is not None


def _fits(r: np.ndarray, n: np.ndarray) -> bool:
    """Same role by shape: r could hold n (as it is, transposed, unrolled, one sample)."""
    return bool(_views(r, n)) or _rows(r, n) is not None


# ---- the chain ---------------------------------------------------------------------------------

@dataclass
class _State:
    nodes: dict
    order: list
    matches: list = field(default_factory=list)  # per record: list[Match]


def locate(records, nodes: list[Node], *, batch: int, n_out: int, dtype: str = "float64",
           truncated: bool = False, rates: tuple = (), layout: str = "") -> dict:
    """The line, as data for the reports: ``status`` "found" (with ``file``, ``line``,
    ``source``, ``name``, ``should_equal``, ``detail`` and ``last_match``) or "unmatched" (with
    ``reason``); ``text`` says it in words. ``rates``: the rates an update-mode function steps
    at (a parameter stepped along its gradient at one of them carries the gradient).
    ``layout``: "xw" (weights ``(in, out)``) rules out a square weight gradient transposed:
    it can be handed back as it is, so it is a wrong value, not a convention."""
    tol = TOLERANCES["float32" if dtype == "float32" else "autodiff"]
    factors = _factors(batch, n_out)
    if not _loss_wrong(records, nodes, tol):  # then the loss is known, not on the chain
        nodes = [replace(n, aux=True) if n.key in _LOSS else n for n in nodes]
    if layout == "xw":  # a square weight gradient is read as it is: transposed is wrong
        nodes = [replace(n, as_is=True) if re.fullmatch(r"(dW|grad_W)\d+", n.key)
                 and n.value.ndim == 2 and n.value.shape[0] == n.value.shape[1] else n
                 for n in nodes]
    by_key = {n.key: n for n in nodes}
    chain = [n for n in nodes if not n.aux]
    matches = []
    for rec in records:
        value = rec.value
        if not np.all(np.isfinite(value)) or not np.any(value):
            matches.append([])
            continue
        found = [m for m in (_match(value, node, factors, tol) for node in nodes) if m]
        if not found and rates:  # a parameter stepped along its gradient
            found = [m for m in (_stepped(value, node, by_key.get(_param_of(node.key)), tol,
                                          rates)
                                 for node in nodes if node.final) if m]
        matches.append(found)
    exact: dict[str, int] = {}
    seen: dict[str, int] = {}
    last: dict[str, int] = {}  # the last record matching each node
    scaled: dict[str, tuple[int, str]] = {}
    for i, found in enumerate(matches):
        for m in found:
            node = by_key[m.node]
            if records[i].given and node.layered and node.deps:
                continue  # an argument that happens to equal it (test-mode dropout: out = x)
            seen.setdefault(m.node, i)
            last[m.node] = i
            if m.factor:
                scaled[m.node] = (i, m.factor)  # the factor it ends with
            else:
                exact.setdefault(m.node, i)
    children: dict[str, list[str]] = {}
    for n in chain:
        for d in n.deps:
            children.setdefault(d, []).append(n.key)

    ok_memo: dict[str, bool] = {}

    def ok(key: str) -> bool:
        if key not in ok_memo:
            ok_memo[key] = False
            ok_memo[key] = key in exact or any(ok(c) for c in children.get(key, ()))
        return ok_memo[key]

    if not any(n.key in seen for n in chain):
        return _unmatched("no line's arrays could be matched to the reference's intermediates "
                          "(the code computes them in a form the matcher does not follow)",
                          truncated)
    broken = [n for n in chain if not ok(n.key)]
    if not broken:
        changed = _changed_after(records, matches, by_key, exact)
        if changed is not None:
            i, node = changed
            return _found(records, matches, i, node, by_key, tol,
                          at=exact[node.key] + 1)
        return _unmatched(ALL_MATCHED + ": "
                          "the difference is not in an array the code binds (a loss value, "
                          "or gradients assembled in a form the matcher does not follow)",
                          truncated)

    def anchor(key: str, depth: int = 0) -> int:
        if key in seen:
            return seen[key]
        node = by_key.get(key)
        if node is None or not node.deps or depth > 50:
            return -1
        return max(anchor(d, depth + 1) for d in node.deps)

    def line_for(broken: Node, lenient: bool) -> dict | None:
        """The line for one broken node, or None when no line can be named for it;
        ``lenient``: a node per-sample code carries scaled (the 1/batch comes at the end) is
        passed over, for a later node that goes wrong outright."""
        if broken.key in scaled and broken.key not in exact:
            index, factor = scaled[broken.key]
            if lenient and any(m.node == broken.key and m.factor == factor
                               and m.how.startswith("sample") for m in matches[index]):
                return None
            if broken.layered:  # the last line that carries it: where it should have been undone
                index = max((i for i, found in enumerate(matches) if _made(records, i) and any(
                    m.node == broken.key and m.factor == factor for m in found)), default=index)
                return _found(records, matches, index, broken, by_key, tol, factor=factor,
                              batch=batch, n_out=n_out)
            # per-sample code carries a factor until it divides at the end: a new array that
            # fits after the last scaled one and matches nothing is where that went wrong
            for i in _fresh(records, index)[0]:
                if not matches[i] and _fits_whole(records[i].value, broken.value):
                    return _found(records, matches, i, broken, by_key, tol)
            # else the first line that carries the factor, along the chain up to this node
            lineage = _ancestors(broken.key, by_key) | {broken.key}
            for i, found in enumerate(matches):
                hit = next((m for m in found if m.node in lineage and m.factor == factor
                            and (m.node not in exact or exact[m.node] > i)), None)
                if hit is not None and not records[i].given:
                    index = i
                    break
            return _found(records, matches, index, broken, by_key, tol, factor=factor,
                          batch=batch, n_out=n_out)
        start = max((anchor(d) for d in broken.deps), default=-1)
        deps = set(broken.deps)
        # a new array (not one bound again) after the node's inputs were first seen: one that
        # matches nothing, whole (same shape, transposed, unrolled); then one that still equals
        # an input (the step from there is missing), the input's own line last; then one
        # sample's slice that matches nothing
        fresh, renamed = _fresh(records, start, broken.layered)
        if broken.layered:  # an input seen right only flattened: the line that unflattens it
            for d in broken.deps:
                at = seen.get(d, -1)
                if at >= 0 and any(m.node == d and m.how == "C order" for m in matches[at]):
                    for i in fresh:
                        if i > at and records[i].value.shape == by_key[d].value.shape \
                                and not matches[i]:
                            return _found(records, matches, i, by_key[d], by_key, tol)
        whole = [i for i in fresh if _fits_whole(records[i].value, broken.value, broken)]
        if broken.value.ndim == 0:  # a loss: before its own line, an array of the output's
            # shape it is built from that matches nothing (probabilities normalised wrongly)
            # (made before the backward starts: a gradient can have that shape too)
            out = by_key.get(f"a{max(n.layer for n in chain)}")
            backward = next((i for i, found in enumerate(matches)
                             if any(by_key[m.node].gradient for m in found)), len(records))
            whole = [i for i in fresh if out is not None and not matches[i] and i < backward
                     and records[i].value.shape == out.value.shape] + whole
        for i in whole:  # a match through column 0 alone leaves the rest of the array unexplained
            if not [m for m in matches[i] if m.how != _COLUMN0]:
                return _found(records, matches, *_caller(records, matches, i, broken, by_key),
                              by_key, tol, at=i)
        ignored = _upstream_ignored(records, matches, whole, broken)
        if ignored is not None:
            i, dep = ignored
            local = by_key["act'" + str(broken.layer)].label
            return _found(records, matches, i, broken, by_key, tol,
                          said=f"it equals {local}: the {by_key[dep].label} it was given is "
                               "never multiplied in")
        if broken.slot:  # what the pair hands back for it, named where it got its value
            i = _handed_back(records, matches, start, broken)
            if i is not None:
                return _found(records, matches, i, broken, by_key, tol)
        for i in sorted(whole + [i for i in renamed
                                 if _fits_whole(records[i].value, broken.value, broken)]):
            if all(m.node in deps and not m.factor for m in matches[i]):
                return _found(records, matches, i, broken, by_key, tol, stopped=True)
        if start >= 0 and _fits_whole(records[start].value, broken.value) \
                and not records[start].given:
            return _found(records, matches, start, broken, by_key, tol, stopped=True)
        for i in fresh:
            if not matches[i] and _fits_sample(records[i].value, broken.value):
                return _found(records, matches, *_caller(records, matches, i, broken, by_key),
                              by_key, tol, at=i)
        if broken.layered:  # a layer's or a CNN's: what it hands back, then a loop's array
            # a piece no line binds on its own (dxhat inside dx = dout * gamma / std): the line
            # that made what the pair returns in the place of what it feeds
            todo, done = list(children.get(broken.key, ())), set()
            while todo:
                key = todo.pop(0)
                if key in done:
                    continue
                done.add(key)
                todo += children.get(key, ())
                if by_key[key].slot:
                    i = _handed_back(records, matches, start, by_key[key])
                    if i is not None:
                        return _found(records, matches, i, by_key[key], by_key, tol)
            i = _returned(records, matches, start, broken, by_key)
            if i is None:
                i = _accumulated(records, matches, start, broken)
            if i is not None:
                return _found(records, matches, i, broken, by_key, tol)
        return None

    # the broken nodes in the chain's order: a node no line computes at all (a bias gradient
    # a step never takes) names no line, and the next broken one may
    clobbered = _clobbered(records, matches, by_key, broken[0])
    if clobbered is not None:
        k, node, j = clobbered
        return _found(records, matches, k, node, by_key, tol, said=(
            f"it holds {node.label}, but as the same array, not a copy: line "
            f"{records[j].line} ({records[j].source}) changes {node.label} in place, and "
            f"{broken[0].label}, computed from it after that, is wrong"))
    for lenient in (True, False):
        for node in broken:
            found = line_for(node, lenient)
            if found is not None:
                return found
    broken = broken[0]
    return _unmatched(f"no line's arrays could be matched to {broken.label}: the line "
                      f"before it matched, but no later array has its shape and role "
                      f"(the code computes it in a form the matcher does not follow)", truncated)


def locate_shape(records, nodes: list[Node], shape: dict, *, dtype: str = "float64") -> dict:
    """The line for a gradient (or a new parameter) handed back in the wrong shape
    (``shape``: the SubjectError's data, ``tensor``, ``actual``, ``expected``, ``what``): the
    first line that makes an array of that shape holding the gradient's values in another
    shape (a ``(1, n)`` row for ``(n,)``); else the line that made the array handed back."""
    tol = TOLERANCES["float32" if dtype == "float32" else "autodiff"]
    tensor, actual = str(shape.get("tensor", "")), tuple(shape.get("actual", ()))
    expected, what = tuple(shape.get("expected", ()) or ()), shape.get("what", "grads")
    by_key = {n.key: n for n in nodes}
    layer = tensor[1:]
    node = (by_key.get(f"grad_W{layer}") or by_key.get(f"dW{layer}") if tensor.startswith("W")
            else by_key.get(f"db{layer}") if tensor.startswith("b") else None)
    if node is None or not actual:
        return _unmatched(f"{what}[{tensor!r}] is not a gradient the matcher knows", False)
    said = f"{what}[{tensor!r}], which has shape {actual} where {expected} is expected"
    for i, rec in enumerate(records):
        if rec.value.shape != actual or not _made(records, i):
            continue
        for how, view in _views(rec.value, node.value):
            if how and np.all(_close(view, node.value, tol)):
                return _shape_found(rec, node, f"it holds {node.label} {how}, and makes {said}")
    for i in range(len(records) - 1, -1, -1):
        rec = records[i]
        if rec.callers or rec.value.shape != actual or not (
                rec.name.startswith("return") and rec.name.endswith(f"[{tensor!r}]")):
            continue
        made = next((j for j in range(i + 1)  # where it got the value it is handed back with
                     if records[j].ident == rec.ident and _made(records, j)
                     and records[j].value.shape == actual
                     and np.array_equal(records[j].value, rec.value)), i)
        # a flattening (np.ravel(db), db.reshape(-1)) only moves the wrong values: the line
        # that made them in the first place
        first = next((k for k in range(made) if _made(records, k)
                      and records[k].value.size == rec.value.size
                      and np.array_equal(records[k].value.ravel(), rec.value.ravel())), made)
        return _shape_found(records[first], node, f"it makes {said}")
    return _unmatched(f"no line's arrays could be matched to {what}[{tensor!r}] in shape "
                      f"{actual}", False)


def _shape_found(rec, node: Node, detail: str) -> dict:
    text = f"{_where(rec)}  {rec.source}  # should equal {node.label}: {detail}"
    return {"status": "found", "file": rec.file, "line": rec.line, "source": rec.source,
            "name": rec.name, "should_equal": node.label, "node": node.key, "detail": detail,
            "last_match": None, "context": _context(rec.file, rec.line), "text": text}


_LOSS = ("data_loss", "loss")


def _param_of(key: str) -> str:
    """The parameter a final gradient belongs to: dW2 and grad_W2 -> W2, db2 -> b2."""
    m = re.fullmatch(r"(?:dW|grad_W|db)(\d+)", key)
    return ("b" if key.startswith("db") else "W") + m.group(1) if m else ""


def _loss_wrong(records, nodes: list[Node], tol) -> bool:
    """Whether the loss the function hands back (``return[0]`` of its outermost call, a
    scalar) differs from the reference's: only then is the loss looked for on the chain."""
    node = next((n for n in nodes if n.key == "loss"), None)
    if node is None:
        return False
    back = [r for r in records if r.name == "return[0]" and not r.callers and r.value.size == 1]
    return bool(back) and not bool(np.all(_close(back[0].value.reshape(()), node.value, tol)))


def _handed_back(records, matches, start: int, broken: Node):
    """The record that gave its value to the array the layer pair returns in the node's
    place (``broken.slot``), when that array is not the node; or None."""
    for i in range(start + 1, len(records)):
        rec = records[i]
        if rec.name != broken.slot or rec.callers:
            continue
        if any(m.node == broken.key for m in matches[i]):
            return None
        for j in range(i + 1):
            if records[j].ident == rec.ident and _made(records, j) \
                    and records[j].value.shape == rec.value.shape \
                    and np.array_equal(records[j].value, rec.value):
                return j
        return i
    return None


def _returned(records, matches, start: int, broken: Node, by_key: dict):
    """For a gradient or output the function hands back (``final`` or ``as_is``): the array
    it returns in that shape that matches nothing on the chain (a known helper value, such as
    the activation's derivative returned without ``dout``, is not the gradient), named at the
    line that gave it its value; or None."""
    if not (broken.final or broken.as_is):
        return None
    for i in range(start + 1, len(records)):
        rec = records[i]
        if not rec.name.startswith("return") or rec.value.shape != broken.value.shape \
                or any(not by_key[m.node].aux for m in matches[i]):
            continue
        for j in range(start + 1, i + 1):  # where that array got the value it is returned with
            if records[j].ident == rec.ident and not records[j].given \
                    and np.array_equal(records[j].value, rec.value):
                return j
        return i
    return None


def _accumulated(records, matches, start: int, broken: Node):
    """An array filled in place over many lines (``out[n, f, i, j] = ...`` in a loop, ``dx +=``
    per window) that ends in the node's shape matching nothing: the line that last changed
    it, or None. Looked at last: its partial values match nothing along the way."""
    final: dict[int, int] = {}  # ident -> its last record after start that changed it
    changes: dict[int, int] = {}
    for i in range(start + 1, len(records)):
        rec = records[i]
        before = final.get(rec.ident)
        if rec.given or (before is not None and records[before].value.shape == rec.value.shape
                         and np.array_equal(records[before].value, rec.value)):
            continue  # the same values bound again (returned, renamed): not a change
        final[rec.ident] = i
        changes[rec.ident] = changes.get(rec.ident, 0) + 1
    for i in sorted(final.values()):
        if changes[records[i].ident] > 1 and not matches[i] and np.any(records[i].value) \
                and _fits_whole(records[i].value, broken.value):
            return i
    return None


# a constant written in the code (``eps = 1e-7``): an input of the computation, never the
# first value that departs from it
_LITERAL = re.compile(r"[\w.]+\s*=\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _fresh(records, start: int, filled: bool = False):
    """(new arrays, arrays bound again under a new name) after record ``start``; ``filled``:
    an array filled in place in a loop counts with its final value, at the line that last
    changed it."""
    last_value = {}  # ident -> its value when last recorded
    for j in range(start + 1):
        last_value[records[j].ident] = records[j].value
    fresh, renamed = [], []
    seen_at: dict[tuple, int] = {}  # (ident, line) -> how often that line changed that array
    for rec in records:
        seen_at[rec.ident, rec.line] = seen_at.get((rec.ident, rec.line), 0) + 1
    for i in range(start + 1, len(records)):
        rec = records[i]
        before = last_value.get(rec.ident)
        same = before is not None and before.shape == rec.value.shape \
            and np.array_equal(before, rec.value)
        if not rec.given and np.any(rec.value) and not _LITERAL.fullmatch(rec.source):
            if before is None or (not same and seen_at[rec.ident, rec.line] == 1):
                # a new array, or one changed in place once (not an accumulator in a loop,
                # `dW += ...` per sample, whose partial sums match nothing until the end)
                fresh.append(i)
            elif same and rec.name.isidentifier():
                renamed.append(i)  # `dz2 = da2`: the same array under a new name
        last_value[rec.ident] = rec.value
    if filled:
        loops = {ident for (ident, _), k in seen_at.items() if k > 1}
        last = {}
        for i in range(start + 1, len(records)):
            if records[i].ident in loops and _made(records, i):
                last[records[i].ident] = i
        fresh = sorted(set(fresh) | set(last.values()))
    return fresh, renamed


def _clobbered(records, matches, by_key: dict, broken: Node):
    """(the record that made the alias, the forward node, the record that changed it) when a
    forward value the broken gradient is computed from (z or a of its layer or the one below)
    was changed in place through another name (``grad = out; grad -= Y`` changes ``out``);
    or None."""
    if not broken.gradient:
        return None
    first: dict[int, tuple[int, str]] = {}  # ident -> (record, forward node it matched first)
    for i, rec in enumerate(records):
        if rec.ident not in first:
            node = next((m.node for m in matches[i] if not m.factor and not m.how
                         and m.node[:1] in "za" and not by_key[m.node].aux
                         and by_key[m.node].layer in (broken.layer, broken.layer - 1)), None)
            if node is not None:
                first[rec.ident] = (i, node)
            continue
        i0, node = first[rec.ident]
        base = _WORD.match(rec.name.removeprefix("self."))
        if rec.given or base is None or np.array_equal(rec.value, records[i0].value) \
                or rec.value.shape != records[i0].value.shape:
            continue
        words = set(_WORD.findall(rec.source))
        if base.group(0) in words or rec.name.startswith("return"):
            continue  # changed under its own name: not through an alias
        for k in range(i0 + 1, i):  # the line that made the alias: the same array, renamed
            other = records[k]
            if other.ident == rec.ident and not other.given and other.name != records[i0].name \
                    and np.array_equal(other.value, records[i0].value) \
                    and _WORD.match(other.name).group(0) in words:
                return k, by_key[node], i
        return None
    return None


_KEY = re.compile(r"return(?:\[1\])?\['(\w+)'\]")


def _changed_after(records, matches, by_key: dict, exact: dict):
    """(record, node) when a gradient the function hands back (``return[1]['W1']`` of its
    outermost call) was right at some line and is handed back changed (clipped, rescaled,
    overwritten): the line that made what is handed back; or None."""
    final = {_param_of(n.key): n for n in by_key.values() if n.final}
    for i, rec in enumerate(records):
        m = _KEY.fullmatch(rec.name)
        node = final.get(m.group(1)) if m and not rec.callers else None
        if node is None or node.key not in exact or exact[node.key] > i \
                or any(x.node == node.key and not x.factor for x in matches[i]):
            continue
        for j in range(exact[node.key] + 1, i + 1):
            if _made(records, j) and records[j].value.shape == rec.value.shape \
                    and np.array_equal(records[j].value, rec.value):
                return j, node
        return i, node
    return None


def _upstream_ignored(records, matches, candidates, broken: Node):
    """(record, dep) when a function given the node's input gradient (a backward given dL/da)
    hands back the activation's local derivative alone in its place, or None."""
    if not broken.gradient:
        return None
    act = f"act'{broken.layer}"
    for i in candidates:
        rec = records[i]
        if not rec.name.startswith("return") \
                or not any(m.node == act and not m.factor for m in matches[i]):
            continue
        for j in range(i):
            if records[j].given and records[j].frame == rec.frame:
                dep = next((m.node for m in matches[j] if m.node in broken.deps
                            and not m.factor), None)
                if dep is not None:
                    return i, dep
    return None


def _caller(records, matches, index: int, broken: Node, by_key: dict):
    """(record, the node it should equal) to name for a wrong gradient made inside a helper
    of the user's that works on forward quantities only (``sigmoid_prime(a)``, an
    activation's derivative): no array of the helper's matches a gradient, so what is wrong
    is how it is called (applied to a instead of z, or the wrong helper); the line that
    calls it, in the nearest caller that does work on gradients, is named instead. A
    layer's backward (given a gradient) is named itself, and so is a helper given the right
    pre-activation z that still computes a wrong derivative from it (``d = z.copy();
    d[z > 0] = 1``): the helper is wrong in itself, and its value should be the derivative."""
    rec = records[index]
    if not broken.gradient or not rec.callers:
        return index, broken
    grads_in = {records[j].frame for j in range(len(records))  # a layer's backward: dout
                if any(by_key[m.node].gradient or m.node == "dout" for m in matches[j])}
    if rec.frame in grads_in:
        return index, broken
    frames = [frame for frame, _ in rec.callers] + [rec.frame]
    for k in range(len(frames) - 2, -1, -1):
        if frames[k] in grads_in:  # frames[k + 1]: the helper it calls
            z = f"z{broken.layer}"
            local = by_key.get("act'" + str(broken.layer))
            if local is not None and any(
                    records[j].given and records[j].frame == frames[k + 1]
                    and any(m.node == z and not m.factor for m in matches[j])
                    for j in range(index)):
                return index, local  # what it should equal there: the local derivative
            break
    for frame, line in reversed(rec.callers):
        if frame in grads_in:
            file = next((r.file for r in records if r.frame == frame), rec.file)
            source = linecache.getline(file, line).strip()
            records.append(Record(file, line, source, f"{rec.name} (made by a helper it calls)",
                                  rec.value, False, rec.ident, frame, ()))
            matches.append(matches[index])
            return len(records) - 1, broken
    return index, broken


def _ancestors(key: str, by_key: dict) -> set:
    out, todo = set(), [key]
    while todo:
        node = by_key.get(todo.pop())
        for d in (node.deps if node else ()):
            if d not in out:
                out.add(d)
                todo.append(d)
    return out


def _unmatched(reason: str, truncated: bool) -> dict:
    if truncated:
        reason += "; the recording was cut short at its cap on arrays"
    return {"status": "unmatched", "reason": reason, "text": reason}


def _turned(r: np.ndarray, node: Node, tol) -> str:
    """What a record is when it holds the node's values in a shape the caller cannot read
    (transposed, its axes permuted), or ""."""
    for how, view in _views(r, node.value):
        if how != "" and np.all(_close(view, node.value, tol)):
            how = {"C order": "flattened"}.get(how, how)
            if r.shape == node.value.shape:  # square: the shapes agree, the values do not
                return f"it holds {node.label} {how}, in a square shape the caller reads as it is"
            return (f"it holds {node.label} {how}: shape {tuple(r.shape)} where the caller "
                    f"reads {tuple(node.value.shape)}")
    return ""


def _aligned(r: np.ndarray, n: np.ndarray, tol, as_is: bool = False):
    """r in n's shape (the view with the fewest differing elements), or one sample row
    against its best row of n: (yours, reference's, rows of n it stands for)."""
    best = None
    views = _views(r, n)
    if as_is and any(how == "" for how, _ in views):
        views = [(how, v) for how, v in views if how == ""]
    for _, view in views:
        bad = int(np.sum(~_close(view, n, tol)))
        if best is None or bad < best[0]:
            best = (bad, view, n)
    row = _rows(r, n)
    if row is not None:
        for i in range(n.shape[0]):
            bad = int(np.sum(~_close(row, n[i], tol)))
            if best is None or bad < best[0]:
                best = (bad, row, n[i])
    return best


def _fmt(values) -> str:
    return " ".join(f"{v:.3g}" for v in values)


def _where(rec) -> str:
    return f"{os.path.basename(rec.file)}:{rec.line}"


def _found(records, matches, index, node: Node, by_key, tol, *, factor: str = "",
           batch: int = 0, n_out: int = 0, stopped: bool = False, at: int | None = None,
           said: str = "") -> dict:
    rec = records[index]
    aligned = _aligned(rec.value, node.value, tol, node.as_is)
    turned = _turned(rec.value, node, tol) if node.as_is else ""
    if said:
        detail = said
    elif turned:
        detail = turned
    elif factor:
        detail = f"off by a factor {factor} everywhere"
    elif stopped:
        detail = ("it equals " + ", ".join(by_key[m.node].label for m in matches[index])
                  + ", the step from there is missing")
    elif node.value.ndim == 0 and rec.value.ndim > 0:  # an array a wrong loss is built from
        detail = ("it matches nothing the reference computes on the way to the loss (the "
                  "probabilities, their log, the loss's terms)")
    elif aligned is None:
        detail = "it differs"
    elif node.value.ndim == 0:  # a loss
        yours, ref = float(aligned[1].reshape(())), float(node.value)
        digits = next((d for d in range(6, 18) if f"{yours:.{d}g}" != f"{ref:.{d}g}"), 17)
        detail = f"yours {yours:.{digits}g}, the reference's {ref:.{digits}g}"
        whole = by_key.get("loss")
        if node.key == "data_loss" and whole is not None and float(whole.value) != ref:
            detail += f" ({float(whole.value):.{digits}g} with its L2 term)"
    else:
        bad, yours, ref = aligned
        diff = ~_close(yours, ref, tol)
        first = int(np.flatnonzero(diff.ravel())[0]) if bad else 0
        lo = max(0, min(first, yours.size - 4))
        more = " ..." if yours.size > lo + 4 else ""
        detail = (f"{bad} of {yours.size} elements differ; yours {_fmt(yours.ravel()[lo:lo + 4])}"
                  f"{more}, the reference's {_fmt(ref.ravel()[lo:lo + 4])}{more}")
        fact = _fact(yours, ref, diff, node, by_key)
        if fact:
            detail += f" ({fact})"
    last = None
    for j in range((index if at is None else at) - 1, -1, -1):
        exact = [m for m in matches[j] if not m.factor and not by_key[m.node].aux]
        if exact and not records[j].given:
            last = {"file": records[j].file, "line": records[j].line,
                    "source": records[j].source, "name": records[j].name,
                    "equals": by_key[exact[0].node].label}
            break
    text = f"{_where(rec)}  {rec.source}  # should equal {node.label}: {detail}"
    if last:
        text += (f"\nlast line that matched: {os.path.basename(last['file'])}:{last['line']}  "
                 f"{last['source']}  # equals {last['equals']}")
    return {"status": "found", "file": rec.file, "line": rec.line, "source": rec.source,
            "name": rec.name, "should_equal": node.label, "node": node.key, "detail": detail,
            "last_match": last, "context": _context(rec.file, rec.line), "text": text}


def _context(file: str, line: int, around: int = 3) -> list:
    """[line number, text] of the line and its neighbours, as the file reads now."""
    rows = []
    for n in range(max(1, line - around), line + around + 1):
        text = linecache.getline(file, n)
        if not text and n > line:
            break
        rows.append([n, text.rstrip("\n")])
    return rows


def _fact(yours, ref, diff, node: Node, by_key) -> str:
    """What is known about the difference, from what is measured here."""
    if node.sign_of:  # a layer's: said when some elements differ and others do not
        z, name = (by_key.get(node.sign_of), node.sign_of) if not diff.all() else (None, "")
    else:
        z, name = by_key.get(f"z{node.layer}"), f"z{node.layer}"
        z = z if node.key[:2] in ("dz", "ac") else None
    if z is not None and z.value.shape == yours.shape:
        inactive = z.value <= 0
        if inactive.any() and np.all(inactive[diff]):
            return f"only where {name} <= 0"
        if np.all(~inactive[diff]):
            return f"only where {name} > 0"
    nz = diff & (ref != 0)
    if nz.any():
        with np.errstate(over="ignore", invalid="ignore"):
            ratio = yours[nz] / ref[nz]
        if (np.all(np.isfinite(ratio)) and np.allclose(ratio, ratio[0], rtol=1e-6)
                and np.sum(diff) == np.sum(nz) and ratio[0] != 0):
            c = float(ratio[0])
            return "the sign flipped" if math.isclose(c, -1.0) else f"a factor {c:.4g}"
    if yours.ndim == 2 and min(yours.shape) > 1 \
            and np.allclose(yours, ref.T.reshape(ref.shape), rtol=1e-9, atol=1e-12):
        return ("the transpose of it" if yours.shape[0] == yours.shape[1]
                else "the transpose of it, reshaped to its shape")
    return ""
