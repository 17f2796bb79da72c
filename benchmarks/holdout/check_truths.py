"""Check every truth in benchmarks/holdout/MANIFEST.json numerically.

    .venv/bin/python benchmarks/holdout/check_truths.py [-v] [--seed N] [FILE ...]
    .venv/bin/python benchmarks/holdout/check_truths.py --self-test   # it rejects wrong truths

Three kinds of entries:

- MLP functions (``layout``/``mode`` as in docs/contract.md): checked exactly as
  tests/learner_corpus/check_truths.py checks them (its functions are reused), against
  ``crosscheck.reference.loss_and_grads``;
- layer files (``kind``, ``forward``, ``backward``, CS231n convention): on a few random cases
  the forward output (``out``, or ``loss`` for a loss kind) is compared with the reference
  layer of ``crosscheck.reference.cnn_layers``, and the backward (given the file's own cache
  and the same ``dout``) with the reference backward: ``dx``, ``dw``, ``db``, ``dgamma``, ...;
- CNN loss functions (``cnn``: the network in the summary's words): compared with
  ``crosscheck.reference.cnn_loss_and_grads``.

Every file is broken: the outputs that disagree must be exactly those its bugs' ``where``
name, on every case; applying the bug's ``fix`` (``[line, text]`` pairs) must make every
output agree. Exit 0 when every truth holds. Uses only the reference, never the diagnosis,
engine or subject packages.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

from crosscheck.reference import CNNSpec, cnn_layers, cnn_loss_and_grads, init_cnn_params
from crosscheck.reference.cnn_spec import parse_cnn

HERE = Path(__file__).resolve().parent
SEED = 7  # networks are drawn from default_rng([SEED, i]); --seed N changes them
ROOT = HERE.parents[1]
_spec = importlib.util.spec_from_file_location(
    "learner_check_truths", ROOT / "tests" / "learner_corpus" / "check_truths.py")
learner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(learner)

CASES = 4
GRAD_NAMES = {
    "affine": ("dx", "dw", "db"),
    "conv": ("dx", "dw", "db"),
    "batchnorm": ("dx", "dgamma", "dbeta"),
    "dropout": ("dx",),
    "max_pool": ("dx",),
    "rnn_step": ("dx", "dprev_h", "dWx", "dWh", "db"),
}
LOSS_KINDS = ("svm_loss", "softmax_loss")


def layer_case(kind: str, opts: dict, rng: np.random.Generator):
    """(forward args, reference forward, reference backward) for one random case."""
    n = int(rng.integers(2, 5))
    if kind == "affine":
        x = rng.normal(size=(n, *opts.get("x_dims", (2, 3))))
        d, m = int(np.prod(x.shape[1:])), int(rng.integers(2, 6))
        args = (x, rng.normal(size=(d, m)), rng.normal(size=m))
        return args, cnn_layers.affine_forward, cnn_layers.affine_backward
    if kind == "conv":
        c, f, k = int(rng.integers(1, 4)), int(rng.integers(1, 4)), opts.get("kernel", 3)
        side = int(rng.integers(k, k + 4))
        param = {"stride": opts.get("stride", 1), "pad": opts.get("pad", 1)}
        args = (rng.normal(size=(n, c, side, side)), rng.normal(size=(f, c, k, k)),
                rng.normal(size=f), param)
        return args, cnn_layers.conv_forward, cnn_layers.conv_backward
    if kind == "batchnorm":
        d = int(rng.integers(2, 6))
        n = int(rng.integers(3, 7))
        args = (rng.normal(2.0, 3.0, size=(n, d)), rng.normal(size=d), rng.normal(size=d),
                {"mode": "train", "eps": 1e-5})
        return args, cnn_layers.batchnorm_forward, cnn_layers.batchnorm_backward
    if kind == "dropout":
        args = (rng.normal(size=(n, int(rng.integers(3, 9)))),
                {"p": opts.get("p", 0.6), "mode": "train", "seed": int(rng.integers(0, 1000))})
        return args, cnn_layers.dropout_forward, cnn_layers.dropout_backward
    if kind == "max_pool":
        ph, s = opts.get("pool", 2), opts.get("stride", 2)
        side = int(rng.integers(ph + s, ph + 3 * s + 1))
        args = (rng.normal(size=(n, int(rng.integers(1, 4)), side, side)),
                {"pool_height": ph, "pool_width": ph, "stride": s})
        return args, cnn_layers.max_pool_forward, cnn_layers.max_pool_backward
    if kind == "rnn_step":
        d, h = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        args = (rng.normal(size=(n, d)), rng.normal(size=(n, h)), rng.normal(size=(d, h)) * 0.5,
                rng.normal(size=(h, h)) * 0.5, rng.normal(size=h))
        return args, cnn_layers.rnn_step_forward, cnn_layers.rnn_step_backward
    if kind in LOSS_KINDS:
        c = int(rng.integers(2, 6))
        args = (rng.normal(size=(n, c)), rng.integers(0, c, size=n))
        return args, getattr(cnn_layers, kind), None
    raise ValueError(f"no cases for kind {kind!r}")


def agree(a, b) -> bool:
    b = np.asarray(b, dtype=np.float64)
    try:
        a = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    big = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-11 * big))


def same(a, b) -> bool:
    """Whether two argument tuples (arrays, dicts of arrays, numbers) are equal."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(np.array_equal(a, b))


def layer_wrong(mod, entry: dict, seed: int) -> list[tuple[set[str], set[str]]]:
    kind, found = entry["kind"], []
    for i in range(CASES):
        rng = np.random.default_rng([seed, i])
        args, ref_fwd, ref_bwd = layer_case(kind, entry.get("options", {}), rng)
        fwd = getattr(mod, entry["forward"])
        if kind in LOSS_KINDS:
            names = {"loss", "dx"}
            ref_loss, ref_dx = ref_fwd(*args)
            try:
                given = copy.deepcopy(args)
                loss, dx = fwd(*given)
                bad = {n for n, a, b in (("loss", loss, ref_loss), ("dx", dx, ref_dx)) if not agree(a, b)}
                if not same(given, args):
                    bad.add("<changed an argument>")
            except Exception as exc:
                bad = {f"<raised {type(exc).__name__}: {exc}>", *names}
            found.append((bad, names))
            continue
        grads = GRAD_NAMES[kind]
        names = {"out", *grads}
        ref_out, ref_cache = ref_fwd(*copy.deepcopy(args))
        dout = rng.normal(size=np.shape(ref_out))
        ref_grads = ref_bwd(dout.copy(), ref_cache)
        ref_grads = ref_grads if isinstance(ref_grads, tuple) else (ref_grads,)
        try:
            given, upstream = copy.deepcopy(args), dout.copy()
            out, cache = fwd(*given)
            got = getattr(mod, entry["backward"])(upstream, cache)
            got = got if isinstance(got, tuple) else (got,)
            bad = set() if agree(out, ref_out) else {"out"}
            bad |= {n for n, a, b in zip(grads, got, ref_grads, strict=True) if not agree(a, b)}
            if not (same(given, args) and np.array_equal(upstream, dout)):
                bad.add("<changed an argument>")
        except Exception as exc:
            bad = {f"<raised {type(exc).__name__}: {exc}>", *names}
        found.append((bad, names))
    return found


def cnn_wrong(fn, entry: dict, seed: int) -> list[tuple[set[str], set[str]]]:
    shape, layers, loss, _ = parse_cnn(entry["cnn"])
    found = []
    for i in range(CASES):
        rng = np.random.default_rng([seed, i])
        l2 = 0.0 if i % 2 == 0 and not entry["options"].get("l2_always") else float(rng.uniform(0.05, 1.5))
        spec = CNNSpec(input_shape=shape, layers=layers, loss=loss or "softmax_cross_entropy", l2=l2)
        params = init_cnn_params(spec, rng)
        batch = int(rng.integers(2, 5))
        X = rng.normal(size=(batch, *shape))
        Y = rng.integers(0, spec.n_classes, size=batch).astype(np.int64)
        ref_loss, ref_grads = cnn_loss_and_grads(params, X, Y, spec)
        want = {"loss": ref_loss, **ref_grads}
        try:
            given = ({k: v.copy() for k, v in params.items()}, X.copy(), Y.copy())
            got_loss, got = fn(*given, spec)
            got = {"loss": got_loss, **got}
            bad = {n for n in want if n not in got or not agree(got[n], want[n])}
            if not same(given, (params, X, Y)):
                bad.add("<changed an argument>")
        except Exception as exc:
            bad = {f"<raised {type(exc).__name__}: {exc}>", *want}
        found.append((bad, set(want)))
    return found


def wrong(mod, entry: dict, seed: int):
    if "kind" in entry:
        return layer_wrong(mod, entry, seed)
    fn = getattr(mod, entry["function"])
    if "cnn" in entry:
        return cnn_wrong(fn, entry, seed)
    return learner.wrong_tensors(fn, entry, seed)


def check(entry: dict, ids: set[str], verbose: bool) -> list[str]:
    path = HERE / entry["file"]
    problems = []
    n = len(path.read_text().splitlines())
    if not 20 <= n <= 120:
        problems.append(f"{n} lines (20-120 wanted)")
    if entry["verdict"] != "fail" or not entry["bugs"]:
        problems.append("every holdout file is broken: verdict fail with its bugs")
    for bug in entry["bugs"]:
        if bug["id"] != "other" and bug["id"] not in ids:
            problems.append(f"unknown pitfall id {bug['id']}")
        if not set(bug["lines"]) <= {line for line, _ in bug["fix"]}:
            problems.append(f"the fix of {bug['id']} leaves its lines {bug['lines']} as they are")
    seed = SEED
    for label, fixed in (("as written", []), ("with every fix", entry["bugs"])):
        try:
            mod = learner.load(path, learner.patched(path, fixed) if fixed else None)
        except Exception as exc:  # a fix that does not even load
            problems.append(f"{label}: the file does not load: {type(exc).__name__}: {exc}")
            continue
        rest = [b for b in entry["bugs"] if b not in fixed]
        for k, (got, names) in enumerate(wrong(mod, entry, seed)):
            want = learner.named(rest, names)
            if verbose:
                print(f"   {label}, case {k}: wrong {sorted(got)}")
            if got != want:
                problems.append(f"{label}, case {k}: wrong {sorted(got)}, truth says {sorted(want)}")
    return problems


def self_test(manifest: list[dict], ids: set[str]) -> int:
    """The checker must reject wrong truths: per kind of entry (MLP, layer pair, CNN), a copy
    with a wrong ``where`` and one whose fix is one line off. Returns how many it accepted."""
    missed = 0
    for pick in (lambda e: "kind" not in e and "cnn" not in e, lambda e: "kind" in e,
                 lambda e: "cnn" in e):
        entry = next(e for e in manifest if pick(e))
        wrong_where = copy.deepcopy(entry)
        wrong_where["bugs"][0]["where"] = ["nothing"]
        off_by_one = copy.deepcopy(entry)
        bug = off_by_one["bugs"][0]
        bug["lines"] = [bug["lines"][0] - 1]
        bug["fix"] = [[bug["lines"][0], "    pass"]]
        for label, e in (("a wrong where", wrong_where), ("a fix one line off", off_by_one)):
            caught = bool(check(e, ids, False))
            print(f"self-test: {label} ({e['file']}): {'rejected' if caught else 'ACCEPTED'}")
            missed += not caught
    return missed


def main(argv: list[str]) -> int:
    global SEED
    verbose = "-v" in argv
    if "--seed" in argv:
        i = argv.index("--seed")
        SEED = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    only = [a for a in argv if not a.startswith("-")]
    manifest = json.loads((HERE / "MANIFEST.json").read_text())
    ids = learner.pitfall_ids()
    if "--self-test" in argv:
        return 1 if self_test(manifest, ids) else 0
    failures = checked = 0
    listed = {e["file"] for e in manifest}
    unlisted = sorted(f.name for f in HERE.glob("*.py") if f.name != "check_truths.py" and f.name not in listed)
    if unlisted:
        print(f"FAIL files without a truth in MANIFEST.json: {', '.join(unlisted)}")
        failures += 1
    for entry in manifest:
        if only and entry["file"] not in only:
            continue
        checked += 1
        problems = check(entry, ids, verbose)
        status = "ok  " if not problems else "FAIL"
        print(f"{status} {entry['file']:<30} {', '.join(b['id'] for b in entry['bugs'])}")
        for p in problems:
            print(f"       {p}")
        failures += bool(problems)
    print(f"{checked} files checked, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
