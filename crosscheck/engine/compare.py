"""Per-tensor comparison of two gradient sets: never over the concatenated vector."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from crosscheck.engine.tolerances import Tolerance

__all__ = ["TensorDiff", "compare_tensor", "compare_tensors", "element_bad", "format_index",
           "nonfinite_fact"]

_TINY = 1e-300


def format_index(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]" if index else ""


@dataclass(frozen=True)
class TensorDiff:
    """How ``a`` (e.g. the subject) differs from ``b`` (e.g. torch) on one tensor."""

    tensor: str
    a: str
    b: str
    ok: bool
    max_abs: float
    rel_norm: float  # ||a - b|| / max(||a|| + ||b||, tiny)
    worst_index: tuple[int, ...]
    a_value: float
    b_value: float
    atol: float
    rtol: float
    n_bad: int
    n_compared: int
    n_excluded: int = 0  # kink coordinates left out of the verdict
    problem: str = ""  # shape mismatch, NaN or Inf: what made the comparison impossible
    n_unchecked: int = 0  # coordinates a sampled oracle did not compute (large networks)

    def message(self) -> str:
        """``W2[3, 1]: subject=0.0131 torch=0.0262 |diff|=1.3e-02 > atol 1e-09 + rtol 1e-07*|torch|``."""
        if self.problem:
            return f"{self.tensor}: {self.a} vs {self.b}: {self.problem}"
        where = f"{self.tensor}{format_index(self.worst_index)}"
        diff = abs(self.a_value - self.b_value)
        rel = ">" if not self.ok else "<="
        return (f"{where}: {self.a}={self.a_value:.6g} {self.b}={self.b_value:.6g} "
                f"|diff|={diff:.2e} {rel} atol {self.atol:.1e} + rtol {self.rtol:.0e}*|{self.b}|")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["worst_index"] = list(self.worst_index)
        for key in ("max_abs", "rel_norm", "a_value", "b_value"):
            d[key] = _json_float(d[key])
        return d


def _json_float(x: float):
    x = float(x)
    return x if np.isfinite(x) else repr(x)  # "nan" / "inf" survive JSON round trips as text


def _bound(a: np.ndarray, b: np.ndarray, tol: Tolerance, loss: float, keep: np.ndarray,
           starts: np.ndarray):
    """The one tolerance rule, ``|a - b| <= atol + rtol * |b|``, with ``atol`` from the kept,
    finite elements of the trusted ``b`` of each tensor: ``a``, ``b`` and ``keep`` are
    tensors laid end to end (flat), the tensor ``t`` starting at ``starts[t]`` (none empty).
    Returns (atol per tensor, |a - b|, bound, bad), where ``bad`` marks kept elements past
    their bound or non-finite on either side."""
    sizes = np.diff(np.append(starts, a.size))
    with np.errstate(over="ignore", invalid="ignore"):  # near 1e308 |a - b| is inf: bad
        scale = np.maximum.reduceat(np.abs(np.where(keep & np.isfinite(b), b, 0.0)), starts)
        atol = np.array([tol.atol_of(s, loss) for s in scale.tolist()])
        diff = np.abs(a - b)
        bound = np.repeat(atol, sizes) + tol.rtol * np.abs(b)
        bad = ((diff > bound) | ~(np.isfinite(a) & np.isfinite(b))) & keep
    return atol, diff, bound, bad


def _where_nonfinite(x: np.ndarray, keep: np.ndarray) -> tuple[int, str]:
    """(how many kept elements of ``x`` are NaN or Inf, which: "NaN", "Inf" or "NaN/Inf")."""
    nan, inf = int((np.isnan(x) & keep).sum()), int((np.isinf(x) & keep).sum())
    return nan + inf, "NaN/Inf" if nan and inf else "NaN" if nan else "Inf"


def nonfinite_fact(a: np.ndarray, b: np.ndarray, a_name: str, b_name: str,
                   keep: np.ndarray | None = None) -> str:
    """Non-finite values as a fact, never as a difference: how many each side holds and
    whether they sit at the same places (NaN vs NaN is not a number compared with another:
    nothing there agrees or differs). "" when both are finite."""
    keep = np.ones(np.shape(a), dtype=bool) if keep is None else keep
    (ka, wa), (kb, wb) = _where_nonfinite(a, keep), _where_nonfinite(b, keep)
    if not ka and not kb:
        return ""
    if not kb or not ka:
        k, name = (ka, a_name) if ka else (kb, b_name)
        return f"{k} non-finite value(s) (NaN/Inf) from {name}"
    same = np.array_equal(~np.isfinite(a) & keep, ~np.isfinite(b) & keep)
    return (f"{ka} non-finite value(s) ({wa}) from {a_name} and {kb} ({wb}) from {b_name}"
            + (", at the same places: not compared there" if same else ""))


def element_bad(a: np.ndarray, b: np.ndarray, tol: Tolerance, loss: float,
                exclude: np.ndarray | None = None) -> np.ndarray:
    """Boolean mask of the elements of ``a`` outside tolerance of the trusted ``b`` (or
    non-finite), excluded coordinates never bad."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if not a.size:
        return np.zeros(a.shape, dtype=bool)
    keep = (np.ones(a.size, dtype=bool) if exclude is None
            else ~np.asarray(exclude, dtype=bool).reshape(-1))
    return _bound(a.reshape(-1), b.reshape(-1), tol, loss, keep, np.zeros(1, dtype=np.intp))[-1] \
        .reshape(a.shape)


def compare_tensor(tensor: str, a: np.ndarray, b: np.ndarray, a_name: str, b_name: str,
                   tol: Tolerance, loss: float, exclude: np.ndarray | None = None, *,
                   unchecked: np.ndarray | None = None) -> TensorDiff:
    """Compare ``a`` against the trusted ``b``: elementwise ``|a - b| <= atol + rtol*|b|``.

    NaN or Inf on either side is a failure, never a pass (``nan > tol`` is False, so a naive
    check would pass it). ``exclude`` masks coordinates that must not count (kinks);
    ``unchecked`` masks coordinates one side never computed (a sampled check), counted apart.
    """
    return compare_tensors([(tensor, a, b, exclude, unchecked)], a_name, b_name, tol, loss)[0]


def compare_tensors(items, a_name: str, b_name: str, tol: Tolerance, loss: float
                    ) -> list[TensorDiff]:
    """:func:`compare_tensor` of every ``(tensor, a, b, exclude, unchecked)`` in ``items``
    (one pair of parties, one tolerance), computed over all the tensors at once: the same
    results, a few array operations per pair instead of some twenty per tensor."""
    out: list[TensorDiff | None] = [None] * len(items)
    index, aa, bb, kk, shapes, n_unchecked = [], [], [], [], [], []
    for i, (tensor, a, b, exclude, unchecked) in enumerate(items):
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            hint = " (transposed?)" if a.shape == b.shape[::-1] and a.ndim == 2 else ""
            out[i] = TensorDiff(tensor, a_name, b_name, False, float("inf"), 1.0, (),
                                float("nan"), float("nan"), 0.0, tol.rtol, b.size, b.size,
                                problem=f"shape {a.shape} vs {b.shape}{hint}")
            continue
        if not a.size:
            out[i] = TensorDiff(tensor, a_name, b_name, True, 0.0, 0.0, (), 0.0, 0.0,
                                tol.atol_of(0.0, loss), tol.rtol, 0, 0)
            continue
        skip = None if exclude is None else np.asarray(exclude, dtype=bool)
        u = 0
        if unchecked is not None and np.shape(a) == np.shape(unchecked):
            unchecked = np.asarray(unchecked, dtype=bool)
            kinked = np.zeros(unchecked.shape, bool) if skip is None else skip
            u = int((unchecked & ~kinked).sum())
            skip = kinked | unchecked
        index.append(i)
        aa.append(a.reshape(-1))
        bb.append(b.reshape(-1))
        kk.append(np.ones(a.size, dtype=bool) if skip is None else ~skip.reshape(-1))
        shapes.append(a.shape)
        n_unchecked.append(u)
    if not index:
        return out
    sizes = [x.size for x in aa]
    starts = np.cumsum([0, *sizes[:-1]])
    a, b, keep = np.concatenate(aa), np.concatenate(bb), np.concatenate(kk)
    atol, diff, bound, bad = _bound(a, b, tol, loss, keep, starts)
    nonfinite = ~(np.isfinite(a) & np.isfinite(b)) & keep
    with np.errstate(invalid="ignore", over="ignore"):
        # rank elements by how far past their bound they are; non-finite (and NaN) rank first
        score = np.where(keep, diff / np.maximum(bound, _TINY), -1.0)
        score = np.where(nonfinite | np.isnan(score), np.inf, score)
        best = np.maximum.reduceat(score, starts)
        segment = np.repeat(np.arange(len(sizes)), sizes)
        at_best = np.flatnonzero(score == best[segment])
        worst = at_best[np.unique(segment[at_best], return_index=True)[1]]  # the first, each
        kept_diff = np.where(keep, diff, 0.0)
        max_abs = np.maximum.reduceat(np.where(np.isnan(kept_diff), np.inf, kept_diff), starts)
        da, db = np.where(keep, a, 0.0), np.where(keep, b, 0.0)
        norms = [np.sqrt(np.add.reduceat(x * x, starts)) for x in (da - db, da, db)]
        rel_norm = norms[0] / np.maximum(norms[1] + norms[2], _TINY)
    counts = [np.add.reduceat(x.astype(np.intp), starts).tolist() for x in (bad, keep, nonfinite)]
    values = [x.tolist() for x in (atol, worst, a[worst], b[worst], max_abs, rel_norm)]
    for t, i in enumerate(index):
        n_bad, n_kept, n_nonfinite = (c[t] for c in counts)
        atol_t, worst_t, a_w, b_w, max_abs_t, rel = (v[t] for v in values)
        if n_kept:
            where = tuple(int(j) for j in np.unravel_index(worst_t - int(starts[t]), shapes[t]))
            if not np.isfinite(rel):
                rel = float("nan") if n_nonfinite else 1.0
        else:
            where, a_w, b_w, max_abs_t, rel = (), 0.0, 0.0, 0.0, 0.0
        problem = ""
        if n_nonfinite:
            s = slice(int(starts[t]), int(starts[t]) + sizes[t])
            problem = nonfinite_fact(a[s], b[s], a_name, b_name, keep[s])
        out[i] = TensorDiff(
            tensor=items[i][0], a=a_name, b=b_name, ok=not n_bad, max_abs=max_abs_t,
            rel_norm=rel, worst_index=where, a_value=a_w, b_value=b_w, atol=atol_t,
            rtol=tol.rtol, n_bad=n_bad, n_compared=n_kept,
            n_excluded=sizes[t] - n_kept - n_unchecked[t], problem=problem,
            n_unchecked=n_unchecked[t])
    return out
