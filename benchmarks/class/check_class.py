"""Check every truth in benchmarks/class/MANIFEST.json against the numpy reference.

    .venv/bin/python benchmarks/class/check_class.py [-v] [--seed N] [STUDENT ...]

For each submission, as its ``kind`` says:

- ``syntax-error``: the file does not compile; every other file does.
- ``timeout``, ``import-timeout``, ``exit``, ``exit-at-import``: run in a child process (a
  15 s limit): it must hang, or end before returning, as said.
- everything else runs in this process (its output swallowed) on NETWORKS random networks of
  the assignment (softmax cross-entropy, depth 1-3, hidden relu/tanh/sigmoid, one-hot Y,
  l2 0 or drawn), plus an *edge* network (the last layer x 1000, class 0's bias + 1000: logits
  in the thousands) and a *tie* network (relu hidden layers, zero biases, an all-zero input
  row: z == 0 exactly), compared with ``crosscheck.reference.loss_and_grads`` (rtol 1e-9;
  keys, shapes and finite values must match; an exception is a disagreement).
  ``pass``: agrees everywhere; with a ``conventions`` record it may differ only on the tie
  network. ``fail``: disagrees on some network, and with two bugs, each bug's edit alone
  (make_class.STUDENTS) disagrees too.
- every bug's ``lines`` quote the file (tests/buggy_lines.py).

Uses only the reference, never the grader, the diagnosis or the engine. Exit 0 when every
truth holds.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
from crosscheck.reference import NetworkSpec, init_params, loss_and_grads, random_batch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))
sys.path.insert(0, str(HERE))
import make_class  # noqa: E402
from buggy_lines import line_problems  # noqa: E402

SEED = 7
NETWORKS = 24
HIDDEN = ("relu", "tanh", "sigmoid")
CHILD_KINDS = {"timeout": "hang", "import-timeout": "hang", "exit": "exit", "exit-at-import": "exit"}


def networks(seed: int):
    """(label, spec, params, X, Y) for the assignment's random networks, the edge and the tie."""
    out = []
    for i in range(NETWORKS + 2):
        rng = np.random.default_rng([seed, i])
        depth = int(rng.integers(1, 4))
        sizes = tuple(int(s) for s in rng.integers(1, 8, size=depth + 1))
        sizes = (*sizes[:-1], max(2, sizes[-1]))
        hidden = tuple(str(rng.choice(HIDDEN)) for _ in range(depth - 1))
        label = f"net{i}"
        if i == NETWORKS + 1:  # the tie network: relu everywhere, z == 0 exactly somewhere
            depth, sizes, hidden, label = 2, (3, 4, 3), ("relu",), "tie"
        l2 = 0.0 if i % 3 == 0 else float(np.round(rng.uniform(0.05, 1.5), 3))
        spec = NetworkSpec(sizes=sizes, activations=(*hidden, "identity"),
                           loss="softmax_cross_entropy", l2=l2)
        params = init_params(spec, rng)
        batch = int(rng.integers(1, 9)) if i < NETWORKS else 5
        X, Y = random_batch(spec, batch, rng, "onehot")
        if i == NETWORKS:  # the edge network: logits in the thousands
            label = "edge"
            params[f"W{depth}"] = params[f"W{depth}"] * 1e3
            params[f"b{depth}"] = params[f"b{depth}"] * 1e3
            params[f"b{depth}"][0] += 1e3
        if label == "tie":
            params = {k: (np.zeros_like(v) if k.startswith("b") else v) for k, v in params.items()}
            X[0] = 0.0
        out.append((label, spec, params, X, Y))
    return out


def load(path: Path, source: str | None = None) -> types.ModuleType:
    text = path.read_text() if source is None else source
    mod = types.ModuleType(path.stem)
    mod.__file__ = str(path)
    sys.path.insert(0, str(path.parent))  # a folder submission imports its own modules
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(text, str(path), "exec"), mod.__dict__)
    finally:
        sys.path.remove(str(path.parent))
    return mod


def disagreements(fn, nets) -> dict[str, str]:
    """network label -> what differs (nothing for the networks where everything agrees)."""
    found = {}
    for label, spec, params, X, Y in nets:
        with np.errstate(all="ignore"):
            ref_loss, ref_grads = loss_and_grads(params, X, Y, spec)
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    loss, grads = fn({k: v.copy() for k, v in params.items()}, X.copy(), Y.copy(), spec)
            except BaseException as exc:  # noqa: BLE001  (SystemExit included)
                found[label] = f"raised {type(exc).__name__}"
                continue
        bad = []
        if not (np.isfinite(loss) and np.isclose(loss, ref_loss, rtol=1e-9, atol=1e-12)):
            bad.append("loss")
        if not isinstance(grads, dict) or set(grads) != set(ref_grads):
            bad.append("keys")
        else:
            for k, ref in ref_grads.items():
                g = np.asarray(grads[k], dtype=np.float64)
                big = max(1.0, float(np.max(np.abs(ref))))
                if g.shape != ref.shape or not np.all(np.isfinite(g)) or \
                        not np.allclose(g, ref, rtol=1e-9, atol=1e-11 * big):
                    bad.append(k)
        if bad:
            found[label] = ",".join(bad)
    return found


def run_child(path: Path) -> str:
    """'hang', 'exit' (ended without returning) or 'returned', running the submission on one
    network in a child process."""
    where, folder = repr(str(path)), repr(str(path.parent))
    code = "\n".join([
        "import sys, types, numpy as np",
        f"sys.path.insert(0, {folder})",
        "from crosscheck.reference import NetworkSpec, init_params, random_batch",
        "spec = NetworkSpec(sizes=(3, 4, 2), activations=('relu', 'identity'),"
        " loss='softmax_cross_entropy', l2=0.1)",
        "rng = np.random.default_rng(0)",
        "p = init_params(spec, rng); X, Y = random_batch(spec, 4, rng, 'onehot')",
        f"m = types.ModuleType('s'); m.__file__ = {where}",
        f"exec(compile(open({where}).read(), {where}, 'exec'), m.__dict__)",
        "m.loss_and_grads(p, X, Y, spec)",
        "print('RETURNED')", ""])
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired:
        return "hang"
    return "returned" if "RETURNED" in done.stdout else "exit"


def check(entry: dict, nets, verbose: bool) -> list[str]:
    path = HERE / "submissions" / entry["path"]
    problems = [p for b in entry["bugs"] + entry["conventions"] for p in line_problems(path, b)]
    kind = entry["kind"]
    try:
        compile(path.read_text(), str(path), "exec")
        parses = True
    except SyntaxError:
        parses = False
    if parses != (kind != "syntax-error"):
        problems.append(f"kind {kind} but the file {'parses' if parses else 'does not parse'}")
    if not parses:
        return problems
    if kind in CHILD_KINDS:
        got = run_child(path)
        if got != CHILD_KINDS[kind]:
            problems.append(f"kind {kind} but in a child process it {got}")
        return problems
    fn = getattr(load(path), entry["function"])
    found = disagreements(fn, nets)
    if verbose:
        print("    ", found or "agrees everywhere")
    if entry["verdict"] == "pass":
        allowed = {"tie"} if entry["conventions"] else set()
        if set(found) - allowed:
            problems.append(f"truth says pass but it differs: {found}")
        if entry["conventions"] and "tie" not in found:
            problems.append("a convention that never shows, not even on the tie network")
    elif not found:
        problems.append("truth says fail but it agrees on every network")
    edits = {s[0]: s[2] for s in make_class.STUDENTS}.get(entry["student"], [])
    ids = [b for b, _, _ in edits if b is not None and not b.startswith("convention:")]
    if len(set(ids)) > 1:  # each bug alone must show
        base = make_class.STYLES[dict((s[0], s[1]) for s in make_class.STUDENTS)[entry["student"]]][0]
        for bug in dict.fromkeys(ids):
            alone = [e for e in edits if e[0] in (bug, None)]
            one = getattr(load(path, make_class.apply(base, alone)), entry["function"])
            if not disagreements(one, nets):
                problems.append(f"{bug} alone never shows")
    return problems


def main(argv: list[str]) -> int:
    global SEED
    verbose = "-v" in argv
    if "--seed" in argv:
        SEED = int(argv[argv.index("--seed") + 1])
    only = [a for a in argv if not a.startswith("-") and not a.isdigit()]
    manifest = json.loads((HERE / "MANIFEST.json").read_text())
    nets = networks(SEED)
    failures = 0
    for entry in manifest:
        if only and not any(o in entry["student"] for o in only):
            continue
        problems = check(entry, nets, verbose)
        ids = ",".join(b["id"] for b in entry["bugs"]) or "-"
        print(f"{'ok  ' if not problems else 'FAIL'} {entry['student']:<15} {entry['verdict']:<5} "
              f"{entry['kind']:<16} {ids}")
        for p in problems:
            print("       ", p)
        failures += bool(problems)
    print(f"{len(manifest) if not only else 'selected'} submissions checked, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
