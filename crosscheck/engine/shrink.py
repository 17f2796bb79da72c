"""Shrink a failing case to the smallest network that still fails the same way.

Deterministic and greedy: try, in order, dropping a hidden layer, batch 1, each width to 1,
halving batch and widths, and l2 -> 0; keep the first candidate that fails the same way
(re-checked by :func:`crosscheck.engine.check.check_case` with the same oracles), and start
again from it. Slicing keeps the original numbers wherever the shapes allow (a narrower layer
keeps the first units; a smaller batch keeps the first rows; integer class labels beyond a
narrower output become its last class); only dropping a layer draws fresh parameters, from a
Generator seeded by the case seed.

"The same way" (:func:`failure_signature`, :func:`same_failure`): the same blame, and either
the same kind of error (the subject raised, returned the wrong thing, ...) or the same kinds
of failing tensors (weights, biases, loss), each with the same measured factor class against
a trusted oracle: a uniform ratio named symbolically in the network's numbers (``-1``,
``batch``, ``n/2`` with n = batch x n_out, ``1/batch`` ...: 1/batch at batch 14 and at batch
3 are the same failure), zero, non-finite, or not a uniform ratio. A smaller network on
which the subject fails differently is another bug's reproduction, not this one's.

Re-running the subject costs time, so shrinking stops at a ``deadline`` (a
``time.monotonic()`` value the caller shares with its other re-runs), and a failure whose
``error_kind`` is in ``skip_kinds`` (a call that timed out, a process that died) is never
re-run: such a case is not shrunk, and a candidate that fails that way ends the search.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from crosscheck.engine.check import CaseResult, check_case
from crosscheck.reference.cnn_spec import is_cnn
from crosscheck.reference.params import init_params
from crosscheck.reference.sampling import Case
from crosscheck.reference.spec import NetworkSpec

__all__ = ["CNN_NOT_SHRUNK", "attach_reproductions", "failure_signature", "same_failure",
           "shrink_case"]

# what a campaign's notes say when it has failing CNN cases
CNN_NOT_SHRUNK = ("not shrunk: the shrinker covers MLP networks; a CNN's reproduction script "
                  "replays the failing network as it ran")

# How far a ratio may wander and still be "uniform", by the kinds of the two parties compared:
# autodiff pairs agree to ~1e-12, fd carries ~1e-7, a float32 subject ~1e-5 (tolerances.py).
_RATIO_SLACK = {"autodiff": 1e-6, "complex-step": 1e-6, "fd": 1e-4, "float32": 1e-3}
_TRUST = {"autodiff": 0, "complex-step": 0, "fd": 1, "subject": 2}


def _kind_of(tensor: str) -> str:
    return "loss" if tensor == "loss" else ("weights" if tensor.startswith("W") else "biases")


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
    batch, n_out = case.batch, case.spec.sizes[-1]
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
    trusted = sorted((p for p in result.parties if p.name not in result.blame),
                     key=lambda p: _TRUST.get(p.kind, 3))
    if not trusted:
        return ("no-majority",)
    ref = trusted[0]
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


def _size(case: Case) -> tuple:
    spec = case.spec
    return (spec.depth, case.batch + sum(spec.sizes), spec.l2 > 0)


def _drop_layer(case: Case, layer: int, seed: list) -> Case:
    """Without hidden layer ``layer`` (1 <= layer < depth): fresh parameters, same data."""
    spec = case.spec
    sizes = spec.sizes[:layer] + spec.sizes[layer + 1:]
    acts = spec.activations[:layer - 1] + spec.activations[layer:]
    new = NetworkSpec(sizes=sizes, activations=acts, loss=spec.loss, l2=spec.l2)
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
        p[f"b{i}"] = p[f"b{i}"][:width].copy()
    if i < spec.depth:
        p[f"W{i + 1}"] = p[f"W{i + 1}"][:width, :].copy()
    elif Y.ndim == 1:  # integer class labels: the classes cut away become the last one kept
        Y = np.minimum(Y, width - 1)
    else:
        Y = Y[:, :width].copy()
    sizes = spec.sizes[:i] + (width,) + spec.sizes[i + 1:]
    return replace(case, spec=replace(spec, sizes=sizes), params=p, X=X, Y=Y)


def _candidates(case: Case, seed: list) -> Iterator[Case]:
    spec = case.spec
    for layer in range(1, spec.depth):
        yield _drop_layer(case, layer, seed)
    batches = sorted({1, case.batch // 2} - {0, case.batch})
    for b in batches:
        yield replace(case, X=case.X[:b].copy(), Y=case.Y[:b].copy())
    for i, width in enumerate(spec.sizes):
        floor = 2 if (i == spec.depth and spec.loss == "softmax_cross_entropy") else 1
        for w in sorted({floor, width // 2}):
            if floor <= w < width:
                yield _narrow(case, i, w)
    if spec.l2 > 0:
        yield replace(case, spec=replace(spec, l2=0.0))


def shrink_case(result: CaseResult, subject_fn, oracles: list, *, budget: int = 60,
                deadline: float | None = None, skip_kinds: frozenset = frozenset()
                ) -> tuple[Case, CaseResult, int, int]:
    """(smallest case, its result, accepted steps, checks run) for a failing ``result``: the
    smallest candidate with the same blame and the same :func:`failure_signature`."""
    target = sorted(result.blame)
    signature = failure_signature(result)
    current, current_result = result.case, result
    # the subject is judged as in the campaign (a user's own tolerance, if any)
    tolerance = next((p.tolerance for p in result.parties if p.kind == "subject"), None)
    steps = checks = 0
    improved = True
    while improved and checks < budget:
        improved = False
        for cand in _candidates(current, result.case_seed):
            if checks >= budget or (deadline is not None and time.monotonic() > deadline):
                return current, current_result, steps, checks
            if _size(cand) >= _size(current):
                continue
            checks += 1
            r = check_case(cand, subject_fn, oracles, subject=result.subject, index=result.index,
                           case_seed=result.case_seed, tolerance=tolerance)
            if r.error_kind in skip_kinds:  # a hang or a dead process: no more re-runs
                return current, current_result, steps, checks
            if (r.verdict == "fail" and sorted(r.blame) == target
                    and same_failure(signature, failure_signature(r))):
                current, current_result, improved = cand, r, True
                steps += 1
                break
    return current, current_result, steps, checks


def attach_reproductions(cases: list[CaseResult], subject_fn, oracles: list, *,
                         subject_import: str | None = None, max_cases: int = 5,
                         names: dict | None = None, call: dict | None = None,
                         deadline: float | None = None, skip_kinds: frozenset = frozenset()
                         ) -> list[CaseResult]:
    """``cases`` with the ``max_cases`` worst failing ones shrunk: new results, in the same
    order, whose ``reproduction`` and ``shrunk`` are set (the results given are frozen).
    ``names`` maps id(case) to its report name (default case-INDEX).
    ``subject_import`` ("/abs/file.py:func" or "module:func") and ``call`` (layout, mode, lr,
    dtype: how the user's function was called) let the script call the subject again.
    ``deadline`` and ``skip_kinds``: see the module docstring. A CNN-style case is not
    shrunk (the candidates above are MLP ones): its script replays the network as it ran."""
    fails = sorted((c for c in cases if c.verdict == "fail"), key=lambda c: -c.severity)
    done: dict[int, CaseResult] = {}
    for c in fails[:max_cases]:
        if c.error_kind in skip_kinds or (deadline is not None and time.monotonic() > deadline):
            continue
        if is_cnn(c.spec):
            small, small_result, steps, checks = c.case, c, 0, 0
        else:
            small, small_result, steps, checks = shrink_case(c, subject_fn, oracles,
                                                             deadline=deadline,
                                                             skip_kinds=skip_kinds)
        label = (names or {}).get(id(c), f"case-{c.index}")
        recorded = small_result.parties[0] if small_result.parties else None
        done[id(c)] = replace(c, shrunk=(small, recorded), reproduction={
            "spec": small.spec.to_dict(),
            "describe": small.spec.describe(),
            "batch": small.batch,
            "steps": steps,
            "checks": checks,
            "verdict": small_result.verdict,
            "blame": small_result.blame,
            "script_name": "repro_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", label)[:80] + ".py",
            "title": label,
            "subject_import": subject_import,
            "call": dict(call or {}),
            "error": small_result.error,
            "shrunk": not is_cnn(c.spec),
        })
    return [done.get(id(c), c) for c in cases]
