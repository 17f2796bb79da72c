"""Central differences, written once: the step rule, the difference of a function of the step,
its vectorised and chunked form, Richardson refinement, sampled coordinates, and the
coordinate loop a learner writes with the documented ways of getting it wrong.

Every difference here is d = (f(+h) - f(-h)) / 2h of a function ``f`` of the signed step s
(the point itself is s = 0). A coordinate derivative is f(s) = L(theta + s e_i), a directional
one f(s) = L(theta + s u); ``f(-h)`` is computed as ``theta + (-h) u``, which IEEE arithmetic
makes bit for bit ``theta - h u``.

- :func:`central_difference`: one scalar function, two calls.
- :func:`central_differences`: P perturbations at once. The objective gets a slice ``sel`` of
  the P perturbations and their signed steps ``[+h[sel], -h[sel]]`` (2Q values), builds the
  perturbed values itself (:func:`perturbed` for a point moving along a direction) and returns
  the 2Q function values, plus optional per-evaluation flags (a kink crossed); the work runs
  ``chunk`` perturbations at a time to bound memory (:func:`chunks`).
- :func:`richardson`: (4 D(h/2) - D(h)) / 3.
- :func:`coordinate_difference`: the per-element loop ``theta[i] = t + h; fp = J(); ...`` over
  an array, with :class:`Flaws` modelling the catalogue's broken checkers (fd-alias-no-copy,
  fd-eps-mismatch, fd-float32, fd-int-dtype, fd-output-alias; fd-step-size is a wrong step).

numpy only; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

__all__ = ["CORRECT", "DEFAULT_STEP", "LAYER_STEP", "Flaws", "central_difference",
           "central_differences", "check_sample", "chunks", "coordinate_difference",
           "perturbed", "richardson", "rows_matmul", "sampled", "step_sizes"]

# The step. The central difference (L(t + h) - L(t - h)) / 2h has truncation error
# h^2 |L'''| / 6 and rounding error about eps |L| / h (eps = 2^-52). Their sum is smallest at
# h = (3 eps |L| / |L'''|)^(1/3), about 9e-6 when |L| and |L'''| are of order 1; we use
# h = 2^-17 (7.6e-6) scaled by max(1, |t|) (:func:`step_sizes`), which leaves both terms near
# 1e-11 relative. A power of two: h and h/2 (Richardson) are exact.
DEFAULT_STEP = 2.0**-17
# The layer check (crosscheck/layers) differences a user's forward with a fixed, unscaled 1e-6:
# its inputs are O(1) draws, where this is within a factor 8 of DEFAULT_STEP, and the fd row of
# the tolerance table was calibrated on the numbers it gives.
LAYER_STEP = 1e-6


def step_sizes(values, step: float = DEFAULT_STEP, *, relative: bool = True) -> np.ndarray:
    """The step per coordinate: ``h = step * max(1, |t|)`` (relative; a large coordinate
    gets a proportionally larger step, so t + h is not rounded to t), or ``h = step``."""
    values = np.asarray(values, dtype=np.float64)
    if not relative:
        return np.full(values.shape, float(step))
    return step * np.maximum(1.0, np.abs(values))


def central_difference(f: Callable, h):
    """(f(h) - f(-h)) / 2h for ``f`` a function of the signed step."""
    return (f(h) - f(-h)) / (2 * h)


def chunks(count: int, size: int | None) -> Iterator[slice]:
    """Slices covering range(count), ``size`` at a time (None: one slice)."""
    size = count if size is None else max(1, int(size))
    for start in range(0, count, size):
        yield slice(start, min(start + size, count))


def rows_matmul(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``a @ w`` for ``a`` of shape (..., n), as one 2-D product of all its rows: the same
    numbers as numpy's stacked matmul (a BLAS call per leading index), 1.2-1.6x faster on
    fd's shapes with one BLAS thread (benchmarks/blas.py)."""
    return (a.reshape(-1, a.shape[-1]) @ w).reshape(*a.shape[:-1], w.shape[-1])


def perturbed(point: np.ndarray, direction: np.ndarray, signed: np.ndarray) -> np.ndarray:
    """(2Q, ...) values ``point + s direction`` for the signed steps ``[+h, -h]`` that
    :func:`central_differences` passes (2Q of them): ``point`` and ``direction`` have a
    leading axis of Q, one per perturbation. ``point - h direction`` is the minus side."""
    q = signed.size // 2
    step = signed[:q].reshape((q,) + (1,) * (np.ndim(direction) - 1)) * direction
    return np.concatenate([point + step, point - step])


def central_differences(objective: Callable, h, *, chunk: int | None = None):
    """Vectorised central differences of P perturbations with steps ``h`` (P,):
    ``d[p] = (f_p(+h_p) - f_p(-h_p)) / 2 h_p``, ``chunk`` perturbations per call.

    ``objective(sel, signed) -> (values, flags)``: ``sel`` a slice of the P perturbations
    (Q of them), ``signed`` = ``[+h[sel], -h[sel]]`` (2Q,); ``values`` (2Q,) the function at
    each, ``flags`` (2Q,) bool or None. Returns ``(d (P,), flags (P,))``, a perturbation
    flagged when either of its sides is.
    """
    h = np.atleast_1d(np.asarray(h, dtype=np.float64))
    d = np.empty(h.size)
    flagged = np.zeros(h.size, dtype=bool)
    for sel in chunks(h.size, chunk):
        step = h[sel]
        q = step.size
        values, flags = objective(sel, np.concatenate([step, -step]))
        d[sel] = (values[:q] - values[q:]) / (2 * step)
        if flags is not None:
            flagged[sel] = flags[:q] | flags[q:]
    return d, flagged


def richardson(differences: Callable, step: float):
    """(4 D(h/2) - D(h)) / 3: cancels the h^2 truncation term of the central difference
    ``differences(h)`` (which dominates where the function is strongly curved)."""
    coarse = differences(step)
    fine = differences(step / 2)
    return (4.0 * fine - coarse) / 3.0


# ---- sampled coordinates -------------------------------------------------------------------

def check_sample(sample, rng) -> None:
    """``sample`` (coordinates per tensor) is None or a positive int drawn with ``rng``."""
    if sample is None:
        return
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 1:
        raise ValueError(f"sample must be a positive int, got {sample!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("a sampled check needs rng, a numpy.random.Generator")


def sampled(differences: Callable, shape: tuple, sample: int | None, rng):
    """``(values, flags, unchecked or None)`` of a tensor of ``shape``, each of ``shape``:
    ``differences(flat coords) -> (values, flags)`` at every coordinate, or (``sample``
    smaller than the tensor) at ``sample`` coordinates drawn from ``rng`` without replacement;
    the others are NaN and True in ``unchecked``."""
    size = int(np.prod(shape))
    if sample is None or size <= sample:
        values, flags = differences(np.arange(size))
        return values.reshape(shape), flags.reshape(shape), None
    coords = np.sort(rng.choice(size, size=sample, replace=False))
    values, flags = differences(coords)
    g, k, u = np.full(size, np.nan), np.zeros(size, dtype=bool), np.ones(size, dtype=bool)
    g[coords], k[coords], u[coords] = values, flags, False
    return g.reshape(shape), k.reshape(shape), u.reshape(shape)


# ---- the coordinate loop, and how learners break it ----------------------------------------

@dataclass(frozen=True)
class Flaws:
    """What a hand-written coordinate loop gets wrong (all off: a correct central difference).

    - ``copy=False``: ``thetaplus = theta; thetaminus = theta`` move one array, so the minus
      step starts from the plus step: f(-h) is f at (t + h) - h (fd-alias-no-copy);
    - ``divide_by``: the difference is divided by ``2 * divide_by``, not by 2h, the step it
      perturbed with (fd-eps-mismatch);
    - ``dtype``: the array perturbed: float32 does everything in single precision, the
      values of J, the step and the quotient (fd-float32); an integer array truncates each
      write ``theta[i] = t +- h`` (fd-int-dtype);
    - ``output_alias``: J returns one reused buffer, so fp is overwritten by fm before the
      subtraction (fd-output-alias).
    """

    copy: bool = True
    divide_by: float | None = None
    dtype: type = np.float64
    output_alias: bool = False

    @property
    def arithmetic(self) -> type:
        """The dtype of the arithmetic: the array's when it is floating, float64 otherwise
        (an integer array's values are read as floats)."""
        return self.dtype if np.issubdtype(self.dtype, np.floating) else np.float64

    def working(self, values: np.ndarray) -> np.ndarray:
        """A private copy of ``values`` in this dtype (an integer dtype truncates)."""
        return np.array(values, dtype=self.dtype)


CORRECT = Flaws()


def coordinate_difference(J: Callable, theta: np.ndarray, index, h, flaws: Flaws = CORRECT) -> float:
    """(J(theta + h e_i) - J(theta - h e_i)) / 2h, ``e_i`` the coordinate ``index`` of the
    array ``theta``, the way a hand-written loop does: ``J(moved)`` gets a copy of ``theta``
    holding ``t +- h`` at ``index`` (``theta`` is never written), or, with ``flaws.copy``
    off, ``theta`` itself moved in place (and put back afterwards)."""
    arith = flaws.arithmetic
    h = arith(h)
    t = theta[index]
    if flaws.output_alias:
        buffer = np.zeros(())
        inner = J

        def J(moved):  # noqa: N802 - the learner's name
            buffer[...] = inner(moved)
            return buffer  # the flaw: the caller keeps the buffer, not its value

    def at(s):
        if flaws.copy:
            moved = theta.copy()
            moved[index] = t + s
        else:
            moved = theta  # no copy: the minus side starts from the plus side
            moved[index] += s
        return J(moved)

    fp = at(h)
    fm = at(-h)
    if not flaws.copy:
        theta[index] = t  # put back what the flawed loop moved
    divisor = h if flaws.divide_by is None else arith(flaws.divide_by)
    return float((arith(fp) - arith(fm)) / (arith(2) * divisor))
