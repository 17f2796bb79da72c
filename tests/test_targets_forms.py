"""Integer class labels are the same targets as one-hot rows: the verdict and the diagnosis
must not depend on the form (CS231n passes labels; the diagnosis once assumed rows, raised on
a broadcast, and dropped everything it had measured: "could not measure more")."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from crosscheck.oracles import get_oracle
from crosscheck.reference.sampling import random_case

from crosscheck.diagnosis import CATALOGUE, DEFAULT_LR, grads_from_step
from crosscheck.diagnosis.diagnose import diagnose
from crosscheck.diagnosis.variants import update_order_step
from crosscheck.engine.check import check_case

PITFALLS = sorted(pid for pid, p in CATALOGUE.items() if p.target != "fd")
N_CASES = 3


@pytest.fixture(scope="module")
def oracles():
    return [get_oracle(name) for name in ("torch", "tensorflow", "fd")]


def _hard_ce_cases(p):
    """Softmax cross-entropy cases with hard targets: the pitfall's own demonstration
    networks where they are such, else random ones."""
    found = []
    for seed in range(N_CASES):
        case = p.demo_case(np.random.default_rng([2026, seed]))
        Y = case.Y if case.Y.ndim == 2 else np.eye(case.spec.sizes[-1])[case.Y]
        if case.spec.loss == "softmax_cross_entropy" and np.array_equal(Y, np.eye(Y.shape[1])[Y.argmax(1)]):
            found.append(replace(case, Y=Y))
        else:
            found.append(random_case(np.random.default_rng([7, seed]), losses=("softmax_cross_entropy",),
                                     targets="onehot", max_width=6, max_depth=3, max_batch=6))
    return found


def _verdict_and_diagnosis(p, case, oracles):
    result = check_case(case, p.loss_and_grads, oracles, subject="subject")
    if result.verdict == "pass":
        return "pass", []

    def rerun(c):
        return check_case(c, p.loss_and_grads, oracles, subject="subject")

    if p.target == "update":
        suspects = diagnose(result, rerun, lr=DEFAULT_LR, rerun_lr=lambda lr: check_case(
            result.case, grads_from_step(update_order_step, lr), oracles))
    else:
        suspects = diagnose(result, rerun)
    return "fail", suspects


@pytest.mark.parametrize("pid", PITFALLS)
def test_labels_get_the_diagnosis_one_hot_rows_get(pid, oracles):
    p = CATALOGUE[pid]
    for case in _hard_ce_cases(p):
        labels = replace(case, Y=case.Y.argmax(axis=1).astype(np.int64))
        rows_verdict, rows = _verdict_and_diagnosis(p, case, oracles)
        labels_verdict, named = _verdict_and_diagnosis(p, labels, oracles)
        where = f"{pid} on {case.spec.describe()} batch={case.batch}"
        assert labels_verdict == rows_verdict, where
        assert not any("could not measure" in s.evidence for s in named), (where, named[0].evidence)
        assert [s.id for s in named] == [s.id for s in rows], where
