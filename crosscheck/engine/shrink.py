"""Shrink a failing case to the smallest network that still fails the same way.

The search is the generic :class:`crosscheck.engine.shrinker.Shrinker`: greedy, deterministic,
over NAMED passes that propose simpler networks from the declared space
(``reference/space.py``), "simpler" being the space's one key (:func:`mlp_key`, :func:`cnn_key`),
and a budget counted in tries (re-checks of the subject), never in seconds. For an MLP
(:func:`mlp_passes`): drop a hidden layer, a smaller batch (1, then half), narrower layers
(each width to its floor, then half), l2 to 0. For a CNN-style network (:func:`cnn_passes`):
drop a layer, a smaller batch, fewer filters and units (the class count too), a smaller
input (channels, height, width), a smaller kernel, l2 to 0. A candidate is re-checked by
:func:`crosscheck.engine.check.check_case` with the same oracles and kept only when it fails
the same way. Slicing keeps the original numbers wherever the shapes allow (a narrower layer
keeps the first units; a smaller batch keeps the first rows; integer class labels beyond a
narrower output become its last class); where shapes change otherwise, the parameters that
no longer fit are drawn afresh from a Generator seeded by the case seed.

"The same way" (:func:`failure_signature`, :func:`same_failure`): the same blame, and either
the same kind of error (the subject raised, returned the wrong thing, ...) or the same kinds
of failing tensors (weights, biases, loss), each with the same measured factor class against
a trusted oracle: a uniform ratio named symbolically in the network's numbers (``-1``,
``batch``, ``n/2`` with n = batch x n_out, ``1/batch`` ...: 1/batch at batch 14 and at batch
3 are the same failure), zero, non-finite, or not a uniform ratio. A smaller network on
which the subject fails differently is another bug's reproduction, not this one's.

A failure whose ``error_kind`` is in ``skip_kinds`` (a call that timed out, a process that
died) is never re-run: such a case is not shrunk, and a candidate that fails that way ends
the search. The caller's wall-clock safety net (``stop()``, see
:class:`crosscheck.engine.budget.SafetyNet`) is not a budget: it only ends a search that
runs far beyond any normal one, and the report says when it did.

Nothing here changes a result: :func:`reproduction` returns the reproduction as a new value
and :func:`with_reproduction` is the one place it is attached to a case.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from crosscheck.engine.check import CaseResult, check_case
from crosscheck.engine.shrinker import Pass, Shrunk, StopShrinking, shrink
from crosscheck.engine.trust import most_trusted
from crosscheck.reference import space
from crosscheck.reference.cnn_params import check_cnn_inputs, init_cnn_params
from crosscheck.reference.cnn_sampling import batchnorm_sees_enough
from crosscheck.reference.cnn_spec import Affine, CNNSpec, Conv, is_cnn
from crosscheck.reference.params import init_params
from crosscheck.reference.sampling import Case

__all__ = ["SHRINK_TRIES", "Reproduction", "attach_reproductions", "cnn_key", "cnn_passes",
           "failure_signature", "mlp_key", "mlp_passes", "reproduction", "same_failure",
           "shrink_case", "with_reproduction"]

# Re-checks of the subject one failing case may cost while it is shrunk: the budget, in tries.
SHRINK_TRIES = 60

# How far a ratio may wander and still be "uniform", by the kinds of the two parties compared:
# autodiff pairs agree to ~1e-12, fd carries ~1e-7, a float32 subject ~1e-5 (tolerances.py).
_RATIO_SLACK = {"autodiff": 1e-6, "complex-step": 1e-6, "fd": 1e-4, "float32": 1e-3}


def _kind_of(tensor: str) -> str:
    if tensor == "loss":
        return "loss"
    if tensor.startswith(("gamma", "beta")):  # a CNN's batchnorm
        return "batchnorm"
    return "weights" if tensor.startswith("W") else "biases"


def _n_out(spec) -> int:
    return spec.n_classes if is_cnn(spec) else spec.sizes[-1]


def _symbol(sign: int, i: int, j: int, k: int) -> str:
    """The name of sign x 2^k x batch^i x n_out^j, e.g. "2*batch", "n/2", "-1/batch"."""
    words = [("2", k)] + ([("n", i)] if i == j != 0 else [("batch", i), ("n_out", j)])
    top = [w for w, e in words if e == 1]
    bottom = [w for w, e in words if e == -1]
    text = "*".join(top) or "1"
    if bottom:
        text += "/" + "/".join(bottom)
    return ("-" if sign < 0 else "") + text


def _symbols(ratio: float, case: Case, slack: float) -> frozenset[str]:
    """The names of ``ratio`` as +-2^k batch^i n_out^j (i, j, k in -1, 0, 1), with n = batch
    x n_out (the mse count): "1/batch", "n/2", "-1", ...; one none of them matches is
    "uniform"."""
    batch, n_out = case.batch, _n_out(case.spec)
    names = set()
    for sign, i, j, k in itertools.product((1, -1), (-1, 0, 1), (-1, 0, 1), (-1, 0, 1)):
        value = sign * float(batch) ** i * float(n_out) ** j * 2.0 ** k
        if abs(ratio - value) <= slack * abs(value):
            names.add(_symbol(sign, i, j, k))
    return frozenset(names) or frozenset({"uniform"})


def _factor_class(a: np.ndarray, b: np.ndarray, case: Case, slack: float) -> frozenset[str]:
    """How ``a`` (the accused) relates to ``b`` (trusted): a symbolic uniform ratio, "zero",
    "non-finite", or "not a uniform ratio"."""
    if not np.all(np.isfinite(a)):
        return frozenset({"non-finite"})
    keep = np.isfinite(b)  # a sampled oracle leaves coordinates out as NaN
    a, b = a[keep], b[keep]
    scale_a = float(np.max(np.abs(a), initial=0.0))
    scale_b = float(np.max(np.abs(b), initial=0.0))
    if scale_a == 0.0:
        return frozenset({"zero"})
    if scale_b == 0.0:
        return frozenset({"not a uniform ratio"})
    ratio = float(np.dot(a, b) / np.dot(b, b))
    if float(np.max(np.abs(a - ratio * b))) > slack * max(scale_a, abs(ratio) * scale_b):
        return frozenset({"not a uniform ratio"})
    return _symbols(ratio, case, slack)


def _data_part(party, tensor: str, case: Case) -> np.ndarray:
    """The party's answer for ``tensor``, flat, with the L2 term of a weight taken out (a bug
    in the data gradient is then a uniform ratio whatever l2 is)."""
    if tensor == "loss":
        return np.atleast_1d(np.asarray(party.loss, dtype=np.float64))
    g = np.asarray(party.grads[tensor], dtype=np.float64)
    if tensor.startswith("W") and case.spec.l2 > 0:
        g = g - case.spec.l2 / case.batch * case.params[tensor]
    return g.ravel()


def failure_signature(result: CaseResult) -> tuple:
    """How ``result`` fails, in terms that survive shrinking (see the module docstring):
    ``("error", kind)``, ``("no-majority",)``, or ``("values", ((party, kind, classes), ...))``
    with ``kind`` one of weights, biases, loss."""
    if result.error:
        return ("error", result.error_kind)
    if "no-majority" in result.blame or not result.parties:
        return ("no-majority",)
    accused = [p for p in result.parties if p.name in result.blame]
    ref = most_trusted(result.parties, excluding=result.blame)
    if ref is None:
        return ("no-majority",)
    found = []
    for party in accused:
        dtype = getattr(party.tolerance, "dtype", "float64")
        slack = max(_RATIO_SLACK.get(ref.kind, 1e-6), _RATIO_SLACK.get(party.kind, 1e-6),
                    _RATIO_SLACK.get(dtype, 1e-6))
        tensors: dict[str, list[str]] = {}
        for v in result.votes:
            if not v.ok and party.name in v.dissenters and not v.tensor.endswith(".u"):
                tensors.setdefault(_kind_of(v.tensor), []).append(v.tensor)
        for kind in sorted(tensors):
            a = np.concatenate([_data_part(party, t, result.case) for t in tensors[kind]])
            b = np.concatenate([_data_part(ref, t, result.case) for t in tensors[kind]])
            found.append((party.name, kind, _factor_class(a, b, result.case, slack)))
    return ("values", tuple(found))


def same_failure(target: tuple, other: tuple) -> bool:
    """Whether signature ``other`` is the failure ``target`` describes: the same error kind,
    or the same failing (party, tensor kind) pairs whose factor classes share a name."""
    if target[0] != other[0] or target[0] != "values":
        return target == other
    if [(p, k) for p, k, _ in target[1]] != [(p, k) for p, k, _ in other[1]]:
        return False
    return all(a & b for (_, _, a), (_, _, b) in zip(target[1], other[1], strict=True))



# ---- MLP passes --------------------------------------------------------------------------------

def mlp_key(case: Case) -> tuple:
    """"Simpler" for an MLP case: :func:`crosscheck.reference.space.mlp_key`."""
    return space.mlp_key(case.spec.sizes, case.batch, case.spec.l2)


def _rows(case: Case, batch: int) -> Case:
    """The first ``batch`` rows of X and Y."""
    return replace(case, X=case.X[:batch].copy(), Y=case.Y[:batch].copy())


def _drop_layer(case: Case, layer: int, seed: list) -> Case:
    """Without hidden layer ``layer`` (1 <= layer < depth): fresh parameters, same data."""
    spec = case.spec
    sizes = spec.sizes[:layer] + spec.sizes[layer + 1:]
    acts = spec.activations[:layer - 1] + spec.activations[layer:]
    new = replace(spec, sizes=sizes, activations=acts)  # its conventions kept
    rng = np.random.default_rng([*seed, 104729, layer, spec.depth])
    return replace(case, spec=new, params=init_params(new, rng, scale=case.scale))


def _narrow(case: Case, i: int, width: int) -> Case:
    """``sizes[i]`` cut to ``width`` by keeping the first units (inputs, hidden or outputs)."""
    spec = case.spec
    p = dict(case.params)
    X, Y = case.X, case.Y
    if i == 0:
        X = X[:, :width].copy()
    else:
        p[f"W{i}"] = p[f"W{i}"][:, :width].copy()
        if spec.bias:
            p[f"b{i}"] = p[f"b{i}"][:width].copy()
    if i < spec.depth:
        p[f"W{i + 1}"] = p[f"W{i + 1}"][:width, :].copy()
    elif Y.ndim == 1:  # integer class labels: the classes cut away become the last one kept
        Y = np.minimum(Y, width - 1)
    else:
        Y = Y[:, :width].copy()
    sizes = spec.sizes[:i] + (width,) + spec.sizes[i + 1:]
    return replace(case, spec=replace(spec, sizes=sizes), params=p, X=X, Y=Y)


def _mlp_smaller_batch(case: Case) -> Iterator[Case]:
    for b in space.BATCH.simpler(case.batch):
        yield _rows(case, b)


def _mlp_narrower(case: Case) -> Iterator[Case]:
    spec = case.spec
    for i, width in enumerate(spec.sizes):
        floor = space.min_output_width(spec.loss) if i == spec.depth else space.WIDTH.lo
        for w in space.WIDTH.simpler(width, floor):
            yield _narrow(case, i, w)


def _no_l2(case: Case) -> Iterator[Case]:
    if case.spec.l2 != space.L2.simplest:
        yield replace(case, spec=replace(case.spec, l2=space.L2.simplest))


def mlp_passes(seed: list) -> tuple[Pass, ...]:
    """The MLP shrinker's passes, cheapest first; ``seed`` (the case seed) seeds the fresh
    parameters a dropped layer needs."""
    return (
        Pass("drop a layer", lambda c: (_drop_layer(c, layer, seed)
                                        for layer in range(1, c.spec.depth))),
        Pass("smaller batch", _mlp_smaller_batch),
        Pass("narrower", _mlp_narrower),
        Pass("l2 to 0", _no_l2),
    )


# ---- CNN passes --------------------------------------------------------------------------------

def cnn_key(case: Case) -> tuple:
    """"Simpler" for a CNN case: :func:`crosscheck.reference.space.cnn_key`."""
    spec = case.spec
    return space.cnn_key(sum(int(np.prod(s)) for s in spec.param_shapes().values()),
                         len(spec.layers), case.batch, int(np.prod(spec.input_shape)), spec.l2)


def _cnn_case(case: Case, seed: list, tag: tuple, *, layers=None, input_shape=None, l2=None,
              X=None, Y=None) -> Case | None:
    """``case`` with its network changed as told, or None when that is no valid network for
    the data. Parameters whose name and shape still fit are kept, the others drawn afresh
    (seeded by the case seed and ``tag``); a batch norm must still see enough values."""
    spec = case.spec
    X = case.X if X is None else X
    Y = case.Y if Y is None else Y
    try:
        new = CNNSpec(input_shape=spec.input_shape if input_shape is None else input_shape,
                      layers=spec.layers if layers is None else layers, loss=spec.loss,
                      l2=spec.l2 if l2 is None else l2)
        fresh = init_cnn_params(new, np.random.default_rng([*seed, 104729, *tag]),
                                scale=case.scale)
        params = {k: case.params[k] if k in case.params and case.params[k].shape == v.shape
                  else v for k, v in fresh.items()}
        check_cnn_inputs(params, X, Y, new)
    except (ValueError, TypeError):
        return None
    if not batchnorm_sees_enough(new, X.shape[0]):
        return None
    return replace(case, spec=new, params=params, X=X, Y=Y)


def _valid(cases) -> Iterator[Case]:
    return (c for c in cases if c is not None)


def _cnn_drop_layer(case: Case, seed: list) -> Iterator[Case]:
    layers = case.spec.layers
    return _valid(_cnn_case(case, seed, (1, i), layers=layers[:i] + layers[i + 1:])
                  for i in range(len(layers) - 1))


def _cnn_smaller_batch(case: Case, seed: list) -> Iterator[Case]:
    return _valid(_cnn_case(case, seed, (2, b), X=case.X[:b].copy(), Y=case.Y[:b].copy())
                  for b in space.CNN_BATCH.simpler(case.batch))


def _cnn_fewer_units(case: Case, seed: list) -> Iterator[Case]:
    layers = case.spec.layers
    last = len(layers) - 1
    for i, layer in enumerate(layers):
        if isinstance(layer, Conv):
            for f in space.CNN_FILTERS.simpler(layer.filters):
                new = layers[:i] + (replace(layer, filters=f),) + layers[i + 1:]
                yield _cnn_case(case, seed, (3, i, f), layers=new)
        elif isinstance(layer, Affine):
            dim = space.CNN_CLASSES if i == last else space.CNN_HIDDEN_UNITS
            for u in dim.simpler(layer.units):
                new = layers[:i] + (Affine(units=u),) + layers[i + 1:]
                # labels of the classes cut away become the last class kept
                Y = np.minimum(case.Y, u - 1) if i == last else None
                yield _cnn_case(case, seed, (3, i, u), layers=new, Y=Y)


def _cnn_smaller_input(case: Case, seed: list) -> Iterator[Case]:
    c, h, w = case.spec.input_shape
    for axis, (dim, value) in enumerate(((space.CNN_CHANNELS, c), (space.CNN_SIDE, h),
                                         (space.CNN_SIDE, w))):
        for v in dim.simpler(value):
            shape = [c, h, w]
            shape[axis] = v
            X = case.X[(slice(None),) + tuple(slice(0, s) for s in shape)].copy()
            yield _cnn_case(case, seed, (4, axis, v), input_shape=tuple(shape), X=X)


def _cnn_smaller_kernel(case: Case, seed: list) -> Iterator[Case]:
    layers = case.spec.layers
    for i, layer in enumerate(layers):
        if isinstance(layer, Conv):
            for k in space.CNN_KERNEL.simpler(layer.kernel):
                conv = replace(layer, kernel=k, pad=min(layer.pad, k - 1))
                yield _cnn_case(case, seed, (5, i, k), layers=layers[:i] + (conv,) + layers[i + 1:])


def cnn_passes(seed: list) -> tuple[Pass, ...]:
    """The CNN shrinker's passes, cheapest first (every candidate a valid network for its
    data); ``seed`` (the case seed) seeds the parameters a changed layer needs."""
    return (
        Pass("drop a layer", lambda c: _cnn_drop_layer(c, seed)),
        Pass("smaller batch", lambda c: _cnn_smaller_batch(c, seed)),
        Pass("fewer units", lambda c: _valid(_cnn_fewer_units(c, seed))),
        Pass("smaller input", lambda c: _valid(_cnn_smaller_input(c, seed))),
        Pass("smaller kernel", lambda c: _valid(_cnn_smaller_kernel(c, seed))),
        Pass("l2 to 0", _no_l2),
    )


# ---- the search --------------------------------------------------------------------------------

def shrink_case(result: CaseResult, subject_fn, oracles: list, *, budget: int = SHRINK_TRIES,
                stop: Callable[[], bool] | None = None, skip_kinds: frozenset = frozenset()
                ) -> tuple[Case, CaseResult, int, int]:
    """(smallest case, its result, accepted steps, checks run) for a failing ``result``, MLP
    or CNN: the smallest candidate with the same blame and the same :func:`failure_signature`,
    within ``budget`` checks. ``stop()`` True (the caller's safety net) ends the search."""
    found, _ = _shrink(result, subject_fn, oracles, budget=budget, stop=stop,
                       skip_kinds=skip_kinds)
    return found.value[0], found.value[1], found.steps, found.tries


def _shrink(result: CaseResult, subject_fn, oracles: list, *, budget: int, stop,
            skip_kinds: frozenset) -> tuple[Shrunk, bool]:
    """The :class:`Shrunk` of ``(case, result)`` pairs, and whether ``stop()`` ended it."""
    target = sorted(result.blame)
    signature = failure_signature(result)
    # the subject is judged as in the campaign (a user's own tolerance, if any)
    tolerance = next((p.tolerance for p in result.parties if p.kind == "subject"), None)
    cnn = is_cnn(result.spec)
    key = cnn_key if cnn else mlp_key
    passes = cnn_passes(result.case_seed) if cnn else mlp_passes(result.case_seed)
    stopped_by_clock = []
    accepted = [result]  # every True answer is an accepted step: the last is the smallest's

    def fails_the_same_way(case: Case) -> bool:
        if stop is not None and stop():
            stopped_by_clock.append(True)
            raise StopShrinking
        r = check_case(case, subject_fn, oracles, subject=result.subject, index=result.index,
                       case_seed=result.case_seed, tolerance=tolerance)
        if r.error_kind in skip_kinds:  # a hang or a dead process: no more re-runs
            raise StopShrinking
        if (r.verdict == "fail" and sorted(r.blame) == target
                and same_failure(signature, failure_signature(r))):
            accepted.append(r)
            return True
        return False

    found = shrink(result.case, fails_the_same_way, passes, sort_key=key, max_tries=budget)
    return replace(found, value=(found.value, accepted[-1])), bool(stopped_by_clock)


# ---- reproductions -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reproduction:
    """What the reports need to write a failing case's reproduction: ``info`` (the report's
    ``reproduction`` entry), and the smallest case with the subject's answer on it."""

    info: dict
    case: Case
    recorded: object  # the subject's Party on ``case``, or None


def reproduction(c: CaseResult, subject_fn, oracles: list, *, label: str,
                 subject_import: str | None = None, call: dict | None = None,
                 budget: int = SHRINK_TRIES, stop: Callable[[], bool] | None = None,
                 skip_kinds: frozenset = frozenset()) -> Reproduction:
    """The reproduction of the failing ``c``, shrunk (a new value; ``c`` is not changed).
    When ``stop()`` is already True, the case is not shrunk: the script replays it as it ran
    (``shrunk`` False)."""
    if stop is not None and stop():
        small, small_result, steps, tries, passes, ran = c.case, c, 0, 0, (), False
    else:
        found, _ = _shrink(c, subject_fn, oracles, budget=budget, stop=stop,
                           skip_kinds=skip_kinds)
        (small, small_result), steps, tries, passes = (found.value, found.steps, found.tries,
                                                      found.passes)
        ran = True
    info = {
        "spec": small.spec.to_dict(),
        "describe": small.spec.describe(),
        "batch": small.batch,
        "steps": steps,
        "checks": tries,
        "passes": list(passes),
        "verdict": small_result.verdict,
        "blame": small_result.blame,
        "script_name": "repro_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", label)[:80] + ".py",
        "title": label,
        "subject_import": subject_import,
        "call": dict(call or {}),
        "error": small_result.error,
        "shrunk": ran,
    }
    recorded = small_result.parties[0] if small_result.parties else None
    return Reproduction(info=info, case=small, recorded=recorded)


def with_reproduction(c: CaseResult, r: Reproduction) -> CaseResult:
    """A new result: ``c`` carrying ``r`` (results are frozen); the one place a reproduction
    is attached to a result."""
    return replace(c, shrunk=(r.case, r.recorded), reproduction=r.info)


def attach_reproductions(cases: list[CaseResult], subject_fn, oracles: list, *,
                         subject_import: str | None = None, max_cases: int = 5,
                         names: dict | None = None, call: dict | None = None,
                         budget: int = SHRINK_TRIES, stop: Callable[[], bool] | None = None,
                         skip_kinds: frozenset = frozenset()) -> list[CaseResult]:
    """``cases`` with the ``max_cases`` worst failing ones (MLP or CNN) shrunk: new results,
    in the same order, carrying their reproductions (:func:`with_reproduction`; the results
    given are frozen). ``names`` maps id(case) to its report name (default case-INDEX).
    ``subject_import`` ("/abs/file.py:func" or "module:func") and ``call`` (layout, mode, lr,
    dtype: how the user's function was called) let the script call the subject again.
    ``budget`` (tries per case), ``stop`` and ``skip_kinds``: see the module docstring."""
    fails = sorted((c for c in cases if c.verdict == "fail"), key=lambda c: -c.severity)
    done: dict[int, CaseResult] = {}
    for c in fails[:max_cases]:
        if c.error_kind in skip_kinds:
            continue
        label = (names or {}).get(id(c), f"case-{c.index}")
        r = reproduction(c, subject_fn, oracles, label=label, subject_import=subject_import,
                         call=call, budget=budget, stop=stop, skip_kinds=skip_kinds)
        done[id(c)] = with_reproduction(c, r)
    return [done.get(id(c), c) for c in cases]
