"""Assertions shared by the gate's test modules."""

from __future__ import annotations

import numpy as np
from crosscheck.reference import Case, NetworkSpec

from crosscheck.engine.triangulate import Party, triangulate


def repro(case: Case) -> str:
    s = case.spec
    return (f"reproduce: NetworkSpec(sizes={s.sizes}, activations={s.activations}, "
            f"loss={s.loss!r}, l2={s.l2}) batch={case.batch} init scale={case.scale}")


def assert_agree(case: Case, subject: Party, oracle_result, oracle_kind: str) -> None:
    """Every tensor and the loss of ``subject`` agree with the oracle, or fail with the tensor,
    index, both values and the tolerance, plus a reproduction."""
    other = Party(name=oracle_result.oracle, kind=oracle_kind, loss=oracle_result.loss,
                  grads=oracle_result.grads, kinks=oracle_result.kinks)
    votes = triangulate([subject, other], list(case.spec.param_names()))
    bad = [d.message() for v in votes for d in v.diffs if not d.ok]
    assert not bad, "\n".join(bad) + "\n" + repro(case)


def ridge_case(seed: int = 3, n_in: int = 3, n_out: int = 2, batch: int = 5, l2: float = 0.7):
    """A depth-1 identity network with MSE and L2 is ridge regression: (case, loss, gradient)
    in closed form, computed here without any of the code under test."""
    rng = np.random.default_rng(seed)
    spec = NetworkSpec(sizes=(n_in, n_out), activations=("identity",), loss="mse", l2=l2)
    W, b = rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
    X, Y = rng.normal(size=(batch, n_in)), rng.normal(size=(batch, n_out))
    r = X @ W + b - Y
    loss = np.mean(r**2) + l2 / (2 * batch) * np.sum(W**2)
    grads = {"W1": 2 * X.T @ r / r.size + l2 / batch * W, "b1": 2 * r.sum(0) / r.size}
    return Case(spec, {"W1": W, "b1": b}, X, Y), loss, grads


def failures_message(result, limit: int = 5) -> str:
    """The first failing cases of a campaign: seed, network, blame, and their worst diffs."""
    lines = []
    for c in result.failures[:limit]:
        lines.append(f"case {c.index} seed {c.case_seed} [{c.spec.describe()} "
                     f"batch={c.case.batch} scale={c.case.scale}] blame {c.blame} {c.error}")
        lines += ["  " + d.message() for v in c.failing_votes()[:3] for d in v.diffs if not d.ok]
    return "\n".join(lines)
