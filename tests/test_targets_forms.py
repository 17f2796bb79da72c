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
from crosscheck.subject.adapters import adapt

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


# ---- every form a learner writes: layouts, update mode, float32 (issue 19) ------------------


FORMS = ("theta", "theta-unrolled", "update", "float32")
UPDATE_LR = 0.1
N_FORM_CASES = 2


def _to_xw(thetas: dict, spec) -> dict:
    """Theta_l = [b_l | W_l^T] back to W_l, b_l (as a learner's code would hold them)."""
    out = {}
    for layer in range(1, spec.depth + 1):
        T = thetas[f"Theta{layer}"]
        out[f"W{layer}"], out[f"b{layer}"] = T[:, 1:].T.copy(), T[:, 0].copy()
    return out


def _to_thetas(grads: dict, spec) -> dict:
    return {f"Theta{layer}": np.hstack([grads[f"b{layer}"][:, None], grads[f"W{layer}"].T])
            for layer in range(1, spec.depth + 1)}


def _unrolled(thetas: dict, spec) -> np.ndarray:
    return np.concatenate([thetas[f"Theta{layer}"].ravel() for layer in range(1, spec.depth + 1)])


def _rolled(vector: np.ndarray, spec) -> dict:
    out, start = {}, 0
    for layer in range(1, spec.depth + 1):
        r, c = spec.sizes[layer], spec.sizes[layer - 1] + 1
        out[f"Theta{layer}"] = vector[start:start + r * c].reshape(r, c)
        start += r * c
    return out


def _written_as(p, form: str):
    """The pitfall's variant as a learner in ``form`` writes it, adapted to the contract."""
    fn = p.loss_and_grads
    if form == "theta":
        def theta_fn(thetas, X, Y, spec):
            loss, grads = fn(_to_xw(thetas, spec), X, Y, spec)
            return loss, _to_thetas(grads, spec)
        return adapt(theta_fn, layout="theta", timeout=None)
    if form == "theta-unrolled":
        def unrolled_fn(vector, X, Y, spec):
            loss, grads = fn(_to_xw(_rolled(vector, spec), spec), X, Y, spec)
            return loss, _unrolled(_to_thetas(grads, spec), spec)
        return adapt(unrolled_fn, layout="theta-unrolled", timeout=None)
    if form == "update":
        def step(params, X, Y, spec, lr):
            return {k: params[k] - lr * g for k, g in fn(params, X, Y, spec)[1].items()}
        return adapt(p.sgd_step or step, mode="update", lr=UPDATE_LR, timeout=None)
    if form == "float32":
        def float32_fn(params, X, Y, spec):
            loss, grads = fn(params, X, Y, spec)
            return float(loss), {k: np.asarray(g).astype(np.float32) for k, g in grads.items()}
        return adapt(float32_fn, dtype="float32", timeout=None)
    raise ValueError(form)


def _diagnosis(p, subject, case, oracles, form):
    result = check_case(case, subject, oracles, subject="subject")
    if result.verdict == "pass":
        return result, []

    def rerun(c):
        return check_case(c, subject, oracles, subject="subject")

    if form == "update":
        def rerun_lr(lr):
            return check_case(result.case, adapt(p.sgd_step, mode="update", lr=lr, timeout=None)
                              if p.sgd_step else subject, oracles, subject="subject")
        # the plain form of an SGD-step pitfall is its step at DEFAULT_LR
        lr = UPDATE_LR if subject is not p.loss_and_grads else DEFAULT_LR
        return result, diagnose(result, rerun, lr=lr, rerun_lr=rerun_lr)
    return result, diagnose(result, rerun)


@pytest.fixture(scope="module")
def quick_oracles():
    return [get_oracle(name) for name in ("torch", "fd")]


@pytest.fixture(scope="module")
def plain_diagnosis(quick_oracles):
    """The plain form's verdict and diagnosis on a pitfall's demonstration network, made once
    per (pitfall, seed, mode) in this process: every form is compared with the same one."""
    made: dict = {}

    def get(p, seed: int, mode: str):
        key = (p.id, seed, mode)
        if key not in made:
            case = p.demo_case(np.random.default_rng([2026, seed]))
            made[key] = _diagnosis(p, p.loss_and_grads, case, quick_oracles, mode)
        return made[key]

    return get


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("pid", PITFALLS)
def test_every_form_gets_the_diagnosis(pid, form, quick_oracles, plain_diagnosis):
    """Each pitfall's variant, written in another layout, as an SGD step or in float32: the
    verdict of the plain form, the diagnosis never "could not measure", and (float64) the
    same bug named first as in the plain form."""
    p = CATALOGUE[pid]
    if pid == "bias-row-broadcast" and form.startswith("theta"):
        return  # a (1, n) bias cannot be written into column 0 of a Theta matrix
    for seed in range(N_FORM_CASES):
        case = p.demo_case(np.random.default_rng([2026, seed]))
        result, suspects = _diagnosis(p, _written_as(p, form), case, quick_oracles, form)
        where = f"{pid} as {form} on {case.spec.describe()} batch={case.batch}"
        assert not any("could not measure" in s.evidence for s in suspects), (where, suspects[0].evidence)
        if form == "float32":
            continue  # float32 rounding may hide a small effect or name it otherwise
        plain, plain_suspects = plain_diagnosis(
            p, seed, "update" if form == p.target == "update" else "grads")
        if form == "update" and result.verdict == "pass":
            # a step never reports a loss: a bug in the loss alone cannot show in update mode
            assert plain.verdict == "pass" or not any(v.tensor != "loss" for v in plain.failing_votes())
            continue
        assert result.verdict == plain.verdict, where
        assert [s.id for s in suspects[:1]] == [s.id for s in plain_suspects[:1]], \
            (where, suspects[0].evidence if suspects else None)


@pytest.mark.parametrize("pid", PITFALLS)
def test_networks_without_biases_never_end_in_could_not_measure(pid, quick_oracles):
    """Every pitfall's variant on a network without biases and with an L2 term (``--no-bias``):
    the diagnosis once tried a bias penalty there and raised KeyError 'b1', dropping what it
    had measured. Whatever the verdict, no "could not measure"."""
    p = CATALOGUE[pid]
    case = random_case(np.random.default_rng([19, len(pid)]), bias=False, l2=0.5, max_depth=3,
                       max_width=6, max_batch=5)
    form = "update" if p.target == "update" else "grads"
    subject = p.loss_and_grads if form == "grads" else adapt(
        p.sgd_step, mode="update", lr=UPDATE_LR, timeout=None)
    result, suspects = _diagnosis(p, subject, case, quick_oracles, form)
    where = f"{pid} on {case.spec.describe()} batch={case.batch}"
    assert not any("could not measure" in s.evidence for s in suspects), (where, suspects[0].evidence)
