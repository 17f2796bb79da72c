"""Measure a discrepancy, tensor by tensor, and say it in words.

Every function here looks at numbers only: the subject's answer, a trusted oracle's, and the
network. Nothing names a pitfall; :mod:`.compose` does that, and only when a replay or a
prediction reproduces what is measured here.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

__all__ = ["exact_ratio", "l2_story", "nice_constant", "same", "shape_story", "symbolic", "tensor_facts"]

_RATIO_RTOL = 1e-6  # a fit this close is an exact factor, not a coincidence
_SAME_RTOL = 1e-8  # a replay this close reproduces the subject


def exact_ratio(num: np.ndarray, den: np.ndarray, rel: float = _RATIO_RTOL) -> float | None:
    """The c with ``num == c * den`` to ``rel`` (least squares, checked on the residual), or
    None when there is none. 0 * anything fits c = 0 only when num is 0 too."""
    a, b = np.ravel(np.asarray(num, dtype=np.float64)), np.ravel(np.asarray(den, dtype=np.float64))
    if a.shape != b.shape or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return None
    bb = float(b @ b)
    if bb == 0.0:
        return None
    c = float(a @ b) / bb
    resid = float(np.linalg.norm(a - c * b))
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(c * b)), 1e-300)
    return c if resid <= rel * scale else None


def same(a, b, rel: float = _SAME_RTOL, *, lenient_nan: bool = False) -> bool:
    """Equal shapes, NaN/Inf in the same places, and finite values equal to ``rel`` of the
    larger magnitude: what "a replay reproduces the subject" means.

    ``lenient_nan``: a NaN spreads differently through equally correct code (``da * mask``
    carries it into inactive ReLU units, ``np.where(mask, da, 0)`` does not), so only the
    entries finite on both sides are compared, and each side must have a non-finite entry
    where the other has one somewhere in the tensor."""
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape:
        return False
    with np.errstate(over="ignore", invalid="ignore"):
        worst = float(np.abs(a - b).max(initial=0.0))
    if np.isfinite(worst):  # both finite everywhere: the rule below in three operations
        # (the diagnosis asks this ~10^5 times per failing campaign)
        scale = max(float(np.abs(b).max(initial=0.0)), float(np.abs(a).max(initial=0.0)), 1e-300)
        return worst <= rel * scale + 1e-14
    if lenient_nan and (not np.all(np.isfinite(a)) or not np.all(np.isfinite(b))):
        both = np.isfinite(a) & np.isfinite(b)
        if np.all(np.isfinite(a)) != np.all(np.isfinite(b)):
            return False
        a, b = a[both], b[both]
    if not np.array_equal(np.isfinite(a), np.isfinite(b)):
        return False
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    inf = np.isinf(a)
    if not np.array_equal(a[inf], b[inf]):
        return False
    fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
    scale = max(float(np.abs(fb).max(initial=0.0)), float(np.abs(fa).max(initial=0.0)), 1e-300)
    return bool(np.all(np.abs(fa - fb) <= rel * scale + 1e-14))


def nice_constant(c: float | None, rtol: float = _RATIO_RTOL) -> Fraction | None:
    """``c`` as a small fraction p/q (|p| <= 64, q <= 8), other than 1: the constants
    gradient-checking exercises plant (2, 4, 1/2, 3/2, ...). None for anything else."""
    if c is None or not np.isfinite(c) or c == 0:
        return None
    for q in (1, 2, 3, 4, 5, 6, 8):
        p = round(c * q)
        if p != 0 and abs(p) <= 64 and abs(c * q - p) <= rtol * abs(c * q):
            f = Fraction(p, q)
            return None if f == 1 else f
    return None


def symbolic(c: float, batch: int, n_out: int) -> str:
    """``c`` in the words of the network: ``-1``, ``batch``, ``1/batch``, ``n/2`` (n = batch x
    n_out), ``n_out/2``, ``2 x batch`` ..., or ``a constant 4``, or the number itself."""
    if c == 0:
        return "0"
    names = []
    for sign in (1, -1):
        for bp in (0, 1, -1, 2, -2):
            for op in (0, 1, -1):
                for tp in (0, -1, 1, -2, 2):
                    v = sign * float(batch) ** bp * float(n_out) ** op * 2.0 ** tp
                    if abs(v - c) <= _RATIO_RTOL * abs(c):
                        names.append(_words(sign, bp, op, tp, batch, n_out))
    if names:
        # the shortest story wins (n/2 before batch x n_out/2); ties go to the first found
        return min(names, key=len)
    f = nice_constant(c)
    return f"a constant {f}" if f is not None else f"{c:.6g}"


def _words(sign: int, bp: int, op: int, tp: int, batch: int, n_out: int) -> str:
    if bp == 1 and op == 1:  # batch x n_out is n, the number of output elements
        num, bp, op = ["n"], 0, 0
    else:
        num = []
    den: list[str] = []
    for name, p in (("batch", bp), ("n_out", op)):
        if p > 0:
            num += [name] * p
        elif p < 0:
            den += [name] * -p
    if tp > 0:
        num.insert(0, str(2 ** tp))
    elif tp < 0:
        den.append(str(2 ** -tp))
    text = " x ".join(num) or "1"
    if den:
        text += "/" + (den[0] if len(den) == 1 else "(" + " x ".join(den) + ")")
    if text == "1" and sign < 0:
        return "-1"
    return ("-" if sign < 0 else "") + text


def shape_story(tensor: str, actual: tuple, expected: tuple, spec, batch: int) -> str:
    """What a wrong shape says, in words."""
    if actual == tuple(expected[::-1]) and len(expected) == 2:
        return f"{tensor} has shape {actual}, the transpose of {expected}"
    if len(expected) == 1:
        n = expected[0]
        if actual == (1, n):
            return (f"{tensor} has shape {actual}, a row: the batch axis was kept (keepdims) or a "
                    f"(n,) bias was broadcast against a (1, n) gradient")
        if actual == (n, 1):
            return f"{tensor} has shape {actual}, a column: a transposed row"
        if actual == (n, n):
            return (f"{tensor} has shape {actual}: a (n,) and a (n, 1) were broadcast against each "
                    f"other")
        if actual == (batch, n):
            return f"{tensor} has shape {actual}: it was never summed over the batch"
        if actual == ():
            return f"{tensor} is a scalar: it was summed over every axis"
        if actual == (batch,):
            return (f"{tensor} has shape {actual}, one value per example: it was summed over the "
                    f"units instead of over the batch")
    if len(expected) == 2 and len(actual) == 2 and actual[0] == spec.sizes[0] != expected[0]:
        return (f"{tensor} has shape {actual}: its first dimension is the network input width "
                f"{spec.sizes[0]}, so it was built from X, not from the layer's input")
    return f"{tensor} has shape {actual}, expected {expected}"


_L2_WORDS = {-1.0: "its L2 term is missing", -0.5: "its L2 term is half the right one",
             1.0: "its L2 term is twice the right one", -2.0: "its L2 term has the wrong sign"}


def l2_story(k: str, g: np.ndarray, r: np.ndarray, p: np.ndarray, batch: int = 1, n_out: int = 1) -> str:
    """``k`` off by exactly c x its L2 term ``p`` (l2/batch x W), c a small constant, in words
    (the term's factor 1 + c in the network's words: ``batch`` is l2 x W without the 1/batch);
    "" when the difference is not such a multiple."""
    g, r = np.asarray(g, dtype=np.float64), np.asarray(r, dtype=np.float64)
    if g.shape != r.shape or g.shape != np.shape(p) or not np.any(p):
        return ""
    c = exact_ratio(g - r, p)
    if c is None or c == 0 or (c != 1 and nice_constant(c) is None):
        return ""
    c = float(nice_constant(c) or 1)
    words = _L2_WORDS.get(c, f"its L2 term is {symbolic(1 + c, batch, n_out)} x the right one")
    return f"{k} is off by exactly {c:+g} x l2/batch x {k}: {words}"


def tensor_facts(case, subject, trusted, l2_part: dict, wrong: list[str], trace=None) -> list[str]:
    """One phrase per wrong tensor: exactly zero, off by a multiple of its L2 term (missing,
    halved, doubled), an exact factor (symbolic), transposed, rank 1, one value repeated, off
    by l2/batch x b, wrong only on inactive ReLU units, or "no simple pattern" (with the
    relative error)."""
    spec, batch, n_out = case.spec, case.batch, case.spec.sizes[-1]
    out = []
    for k in wrong:
        g, r, p = subject.grads[k], trusted.grads[k], l2_part[k]
        if not np.all(np.isfinite(g)):
            out.append(f"{k} has NaN/Inf")
            continue
        if np.all(g == 0):
            out.append(f"{k} is exactly 0")
            continue
        story = l2_story(k, g, r, p, batch, n_out)
        if story:
            out.append(story)
            continue
        c = exact_ratio(g - p, r - p)
        if c is not None:
            out.append(f"{k} is {symbolic(c, batch, n_out)} x the oracle's"
                       + (" (its data term; the L2 term agrees)" if np.any(p) else ""))
            continue
        c = exact_ratio(g, r)
        if c is not None:
            out.append(f"{k} is {symbolic(c, batch, n_out)} x the oracle's, L2 term included")
            continue
        if g.ndim == 2 and min(g.shape) > 1 and np.allclose(
                g, r.T.reshape(r.shape), rtol=1e-6, atol=1e-12):
            out.append(f"{k} equals the oracle's transposed" + (
                "" if g.shape[0] == g.shape[1] else f" and reshaped to {g.shape}"))
            continue
        if k.startswith("b") and spec.l2 > 0 and np.allclose(
                g - r, spec.l2 / spec.l2_divisor(batch) * case.params[k], rtol=1e-6, atol=1e-12):
            out.append(f"{k} is off by exactly l2/batch x {k}: a penalty on the bias")
            continue
        if k.startswith("b") and g.size > 1 and np.ptp(g) <= 1e-12 * max(1.0, np.abs(g).max()):
            out.append(f"{k} holds one value in every unit")
            continue
        if k.startswith("W") and min(g.shape) > 1 and _rank(g - p) <= 1 < _rank(r - p):
            out.append(f"{k} has rank 1 (the oracle's does not)")
            continue
        layer = int(k[1:])
        if trace is not None and spec.activations[layer - 1] == "relu":
            z = trace.z[layer - 1]
            bad = ~np.isclose(g, r, rtol=1e-6, atol=1e-12)
            cols = np.nonzero(bad.any(axis=0) if bad.ndim == 2 else bad)[0]
            if cols.size and np.all(np.any(z[:, cols] <= 0, axis=0)):
                out.append(f"{k} is wrong only in units that are inactive (z <= 0) on some rows")
                continue
        rel = float(np.linalg.norm(g - r) / max(np.linalg.norm(g) + np.linalg.norm(r), 1e-300))
        out.append(f"{k} shows no simple pattern (relative error {rel:.2g})")
    return out


def _rank(m: np.ndarray) -> int:
    return int(np.linalg.matrix_rank(m, tol=1e-9 * max(np.abs(m).max(initial=0), 1e-300)))
