"""Per-tensor comparison of two gradient sets: never over the concatenated vector."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from crosscheck.engine.tolerances import Tolerance

__all__ = ["TensorDiff", "compare_tensor", "element_bad", "format_index", "nonfinite_fact"]

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


def _bound(a: np.ndarray, b: np.ndarray, tol: Tolerance, loss: float,
           exclude: np.ndarray | None):
    """The one tolerance rule, ``|a - b| <= atol + rtol * |b|`` with ``atol`` from the kept,
    finite elements of the trusted ``b``: (keep, atol, |a - b|, bound, bad), where ``bad``
    marks kept elements past their bound or non-finite on either side."""
    keep = np.ones(a.shape, dtype=bool) if exclude is None else ~np.asarray(exclude, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):  # near 1e308 |a - b| is inf: bad
        atol = tol.atol(np.where(keep & np.isfinite(b), b, 0.0), loss)
        diff = np.abs(a - b)
        bound = atol + tol.rtol * np.abs(b)
        bad = ((diff > bound) | ~(np.isfinite(a) & np.isfinite(b))) & keep
    return keep, atol, diff, bound, bad


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
    return _bound(a, b, tol, loss, exclude)[-1]


def compare_tensor(tensor: str, a: np.ndarray, b: np.ndarray, a_name: str, b_name: str,
                   tol: Tolerance, loss: float, exclude: np.ndarray | None = None, *,
                   unchecked: np.ndarray | None = None) -> TensorDiff:
    """Compare ``a`` against the trusted ``b``: elementwise ``|a - b| <= atol + rtol*|b|``.

    NaN or Inf on either side is a failure, never a pass (``nan > tol`` is False, so a naive
    check would pass it). ``exclude`` masks coordinates that must not count (kinks);
    ``unchecked`` masks coordinates one side never computed (a sampled check), counted apart.
    """
    n_unchecked = 0
    if unchecked is not None and np.shape(a) == np.shape(unchecked):
        unchecked = np.asarray(unchecked, dtype=bool)
        kinked = np.zeros(unchecked.shape, bool) if exclude is None else np.asarray(exclude, bool)
        n_unchecked = int((unchecked & ~kinked).sum())
        exclude = kinked | unchecked
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        hint = " (transposed?)" if a.shape == b.shape[::-1] and a.ndim == 2 else ""
        return TensorDiff(tensor, a_name, b_name, False, float("inf"), 1.0, (), float("nan"),
                          float("nan"), 0.0, tol.rtol, b.size, b.size,
                          problem=f"shape {a.shape} vs {b.shape}{hint}")
    keep, atol, diff, bound, bad = _bound(a, b, tol, loss, exclude)
    n_excluded = int(a.size - keep.sum()) - n_unchecked
    nonfinite = ~(np.isfinite(a) & np.isfinite(b)) & keep
    with np.errstate(invalid="ignore"):
        # rank elements by how far past their bound they are; non-finite ranks first
        score = np.where(keep, diff / np.maximum(bound, _TINY), -1.0)
    score = np.where(nonfinite, np.inf, score)
    if a.size and keep.any():
        worst = np.unravel_index(int(np.nanargmax(np.where(np.isnan(score), np.inf, score))),
                                 a.shape)
        a_w, b_w = float(a[worst]), float(b[worst])
        kept_diff = np.where(keep, diff, 0.0)
        max_abs = float(np.nanmax(np.where(np.isnan(kept_diff), np.inf, kept_diff)))
        da, db = np.where(keep, a, 0.0), np.where(keep, b, 0.0)
        with np.errstate(invalid="ignore", over="ignore"):
            rel_norm = float(np.linalg.norm(da - db) /
                             max(np.linalg.norm(da) + np.linalg.norm(db), _TINY))
        if not np.isfinite(rel_norm):
            rel_norm = float("nan") if nonfinite.any() else 1.0
    else:
        worst, a_w, b_w, max_abs, rel_norm = (), 0.0, 0.0, 0.0, 0.0
    problem = nonfinite_fact(a, b, a_name, b_name, keep) if nonfinite.any() else ""
    return TensorDiff(
        tensor=tensor, a=a_name, b=b_name, ok=not bad.any(), max_abs=max_abs, rel_norm=rel_norm,
        worst_index=tuple(int(i) for i in worst), a_value=a_w, b_value=b_w, atol=atol,
        rtol=tol.rtol, n_bad=int(bad.sum()), n_compared=int(keep.sum()), n_excluded=n_excluded,
        problem=problem, n_unchecked=n_unchecked,
    )
