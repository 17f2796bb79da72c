"""Assertions shared by the gate's test modules."""

from __future__ import annotations

from reference import Case
from reports.triangulate import Party, triangulate


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
