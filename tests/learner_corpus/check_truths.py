"""Check every truth in MANIFEST.json numerically, against the numpy reference.

    .venv/bin/python tests/learner_corpus/check_truths.py [-v] [--seed N] [FILE ...]
    .venv/bin/python tests/learner_corpus/check_truths.py --self-test   # it rejects wrong truths

For each file: draw a few random networks that fit its ``options``, call its function in its
``layout`` and ``mode`` with its ``conventions`` applied (a summed loss is batch x the mean
one, ``l2-plain`` is the penalty l2/2 sum W^2, an unrolled-F vector is column-major, ...),
and compare every output tensor (``loss``, ``W1``, ``b1``, ...; Theta matrices and unrolled
vectors are read back as W and b) with ``crosscheck.reference.loss_and_grads``.

- ``verdict: pass``: every tensor agrees on every network.
- ``verdict: fail``: on every network, the tensors that disagree are exactly those its bugs'
  ``where`` name (fnmatch patterns: ``W*``, ``b1``, ``loss``).
- Each bug's ``lines`` are the lines to change: its ``fix`` (``[line, new text]`` pairs that
  cover those lines; a moved statement also touches the line it moves to) gives a file whose
  remaining wrong tensors are exactly the other bugs' ``where`` (all fixed: a file that
  passes).

Also checked: only numpy is imported, 20-120 lines, the manifest's fields. Uses only the
reference (``crosscheck.reference``), never the diagnosis, engine or subject packages.
Exit 0 when every truth holds.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import sys
import types
from pathlib import Path

import numpy as np

from crosscheck.reference import NetworkSpec, init_params, loss_and_grads, random_batch

HERE = Path(__file__).resolve().parent
SEED = 2024  # networks are drawn from default_rng([SEED, i]); --seed N changes them
NETWORKS = 4
KNOWN_CONVENTIONS = {"reduction-sum", "l2-plain", "fixed-lr", "unrolled-F", "no-bias", "labels",
                     "float32"}
PITFALLS = HERE / "pitfall_ids.txt"


# ---- loading ---------------------------------------------------------------------------------

def load(path: Path, source: str | None = None) -> types.ModuleType:
    """The module of ``path``, or of ``source`` under that file name (a fixed variant)."""
    text = path.read_text() if source is None else source
    mod = types.ModuleType(path.stem)
    mod.__file__ = str(path)
    exec(compile(text, str(path), "exec"), mod.__dict__)
    return mod


def patched(path: Path, bugs: list[dict]) -> str:
    """The source of ``path`` with each bug's ``fix`` applied: ``[line, text]`` pairs, the
    text replacing that line (``null``: the line removed; several lines: inserted there)."""
    edits = {n: text for bug in bugs for n, text in bug["fix"]}
    out = []
    for i, line in enumerate(path.read_text().splitlines(), start=1):
        if i not in edits:
            out.append(line)
        elif edits[i] is not None:
            out.append(edits[i])
    return "\n".join(out) + "\n"


# ---- networks -------------------------------------------------------------------------------

def draw(opts: dict, rng: np.random.Generator):
    """(spec, full params with biases, X, Y) for one network that fits ``opts``, drawn again
    while the loss does not reach some parameter (dead ReLUs: its gradient without the L2
    term is exactly zero, and a bug that scales or misroutes it cannot show)."""
    for _ in range(100):
        spec, params, X, Y = _draw(opts, rng)
        bare = NetworkSpec(sizes=spec.sizes, activations=spec.activations, loss=spec.loss, l2=0.0)
        with np.errstate(all="ignore"):
            _, grads = loss_and_grads(params, X, Y, bare)
        if all(np.any(g != 0) for g in grads.values()):
            break
    return spec, params, X, Y


def _draw(opts: dict, rng: np.random.Generator):
    if opts.get("sizes"):
        sizes = tuple(opts["sizes"])
    else:
        depth = opts.get("depth") or int(rng.integers(1, 4))
        sizes = tuple(int(s) for s in rng.integers(2, 7, size=depth + 1))
        if opts.get("n_out"):
            sizes = (*sizes[:-1], opts["n_out"])
    depth = len(sizes) - 1
    acts = (opts.get("hidden_activations", "sigmoid"),) * (depth - 1) + (opts["output_activation"],)
    l2 = opts.get("l2", "any")
    l2 = float(np.round(rng.uniform(0.05, 1.5), 3)) if l2 == "any" else float(l2)
    spec = NetworkSpec(sizes=sizes, activations=acts, loss=opts["loss"], l2=l2)
    params = init_params(spec, rng)
    batch = int(rng.integers(3, 9))
    X, Y = random_batch(spec, batch, rng, opts.get("targets", "any"))
    if opts.get("edge") == "large-logits":
        # logits in the thousands: the last layer x 1000 and class 0 pushed up by 1000
        W, b = f"W{depth}", f"b{depth}"
        params[W] = params[W] * 1e3
        params[b] = params[b] * 1e3
        params[b][0] += 1e3
    return spec, params, X, Y


def expected(entry: dict, spec: NetworkSpec, params: dict, X, Y) -> dict:
    """The reference's outputs under the file's conventions, by canonical name."""
    conv = set(entry["conventions"])
    batch = X.shape[0]
    full = dict(params)
    if "no-bias" in conv:
        full = {k: (np.zeros_like(v) if k.startswith("b") else v) for k, v in params.items()}
    if "l2-plain" in conv:  # l2/2 sum W^2 is the contract's penalty with l2 x batch
        spec = NetworkSpec(sizes=spec.sizes, activations=spec.activations, loss=spec.loss,
                           l2=spec.l2 * batch)
    loss, grads = loss_and_grads(full, X, Y, spec)
    out = {"loss": loss, **grads}
    if "reduction-sum" in conv:
        out = {k: v * batch for k, v in out.items()}
    if "no-bias" in conv:
        out = {k: v for k, v in out.items() if not k.startswith("b")}
    if entry["mode"] == "update":
        out.pop("loss")
    return out


# ---- calling a file in its layout and mode ---------------------------------------------------

def to_theta(params: dict, depth: int) -> dict:
    return {f"Theta{i}": np.concatenate([params[f"b{i}"][:, None], params[f"W{i}"].T], axis=1)
            for i in range(1, depth + 1)}


def from_theta(thetas: dict, depth: int) -> dict:
    out = {}
    for i in range(1, depth + 1):
        T = np.asarray(thetas[f"Theta{i}"])
        out[f"b{i}"] = T[:, 0] if T.ndim == 2 else T
        out[f"W{i}"] = T[:, 1:].T if T.ndim == 2 else T
    return out


def unroll(thetas: dict, depth: int, order: str) -> np.ndarray:
    return np.concatenate([thetas[f"Theta{i}"].ravel(order=order) for i in range(1, depth + 1)])


def roll(vec: np.ndarray, spec: NetworkSpec, order: str) -> dict:
    out, start = {}, 0
    for i in range(1, spec.depth + 1):
        shape = (spec.sizes[i], spec.sizes[i - 1] + 1)
        n = shape[0] * shape[1]
        out[f"Theta{i}"] = np.asarray(vec[start:start + n]).reshape(shape, order=order)
        start += n
    return out


def call(fn, entry: dict, spec: NetworkSpec, params: dict, X, Y) -> dict:
    """The file's outputs by canonical name (``loss``, ``W1``, ``b1``, ...)."""
    conv = set(entry["conventions"])
    opts = entry["options"]
    if "no-bias" in conv:
        params = {k: v for k, v in params.items() if k.startswith("W")}
    params = {k: v.copy() for k, v in params.items()}
    if "float32" in conv:
        params = {k: v.astype(np.float32) for k, v in params.items()}
        X = X.astype(np.float32)
        Y = Y if np.issubdtype(Y.dtype, np.integer) else Y.astype(np.float32)
    depth, order = spec.depth, ("F" if "unrolled-F" in conv else "C")
    layout = entry["layout"]
    if layout == "theta":
        arg = to_theta(params, depth)
    elif layout == "theta-unrolled":
        arg = unroll(to_theta(params, depth), depth, order)
    else:
        arg = params
    before = arg.copy() if isinstance(arg, np.ndarray) else {k: v.copy() for k, v in arg.items()}

    def canonical(res):
        if layout == "theta":
            return from_theta(res, depth)
        if layout == "theta-unrolled":
            return from_theta(roll(res, spec, order), depth)
        return dict(res)

    X0, Y0 = X.copy(), Y.copy()

    def unchanged():  # the contract: a function never changes its arguments
        same = np.array_equal(X, X0) and np.array_equal(Y, Y0)
        if isinstance(arg, np.ndarray):
            same = same and np.array_equal(arg, before)
        else:
            same = same and all(np.array_equal(arg[k], before[k]) for k in before)
        if not same:
            raise AssertionError("the function changed one of its arguments")

    if entry["mode"] == "update":
        if "fixed-lr" in conv:
            lr = opts["fixed_lr"]
            new = fn(arg, X, Y, spec)
        else:
            lr = opts.get("lr", 0.1)
            new = fn(arg, X, Y, spec, lr)
        unchanged()
        old, new = canonical(before), canonical(new)
        return {k: (np.asarray(old[k], np.float64) - np.asarray(new[k], np.float64)) / lr
                for k in old}
    loss, grads = fn(arg, X, Y, spec)
    unchanged()
    out = {"loss": loss, **canonical(grads)}
    if "float32" in conv:
        for k, v in out.items():
            if k != "loss" and np.asarray(v).dtype != np.float32:
                out[k] = None  # a float32 port must return float32 arrays
    return out


def disagreeing(got: dict, want: dict, float32: bool) -> set[str]:
    bad = set()
    for name, ref in want.items():
        ref = np.asarray(ref, dtype=np.float64)
        val = got.get(name)
        if val is None:
            bad.add(name)
            continue
        val = np.asarray(val, dtype=np.float64)
        if val.shape != ref.shape or not np.all(np.isfinite(val)):
            bad.add(name)
            continue
        big = max(1.0, float(np.max(np.abs(ref))) if ref.size else 1.0)
        rtol, atol = (1e-4, 1e-4 * big) if float32 else (1e-9, 1e-11 * big)
        if not np.allclose(val, ref, rtol=rtol, atol=atol):
            bad.add(name)
    return bad


def wrong_tensors(fn, entry: dict, seed: int) -> list[tuple[set[str], set[str]]]:
    """Per network: (the tensors where the file disagrees with the reference, every name)."""
    found = []
    for i in range(NETWORKS):
        rng = np.random.default_rng([seed, i])
        spec, params, X, Y = draw(entry["options"], rng)
        want = expected(entry, spec, params, X, Y)
        with np.errstate(all="ignore"):
            try:
                got = call(fn, entry, spec, params, X, Y)
            except Exception as exc:  # a crash: every tensor is wrong
                found.append(({f"<raised {type(exc).__name__}: {exc}>", *want}, set(want)))
                continue
        found.append((disagreeing(got, want, "float32" in entry["conventions"]), set(want)))
    return found


def named(bugs: list[dict], names: set[str]) -> set[str]:
    """The names the ``where`` patterns of ``bugs`` cover."""
    pats = [p for b in bugs for p in b["where"]]
    return {n for n in names if any(fnmatch.fnmatchcase(n, p) for p in pats)}


# ---- static checks ---------------------------------------------------------------------------

def static_problems(path: Path, entry: dict, ids: set[str]) -> list[str]:
    text = path.read_text()
    problems = []
    n = len(text.splitlines())
    if not 20 <= n <= 120:
        problems.append(f"{n} lines (20-120 wanted)")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            if any(m.split(".")[0] != "numpy" for m in mods):
                problems.append(f"imports {mods}")
    for key in ("file", "function", "layout", "mode", "conventions", "options", "verdict", "bugs",
                "style"):
        if key not in entry:
            problems.append(f"manifest lacks {key}")
    if set(entry["conventions"]) - KNOWN_CONVENTIONS:
        problems.append(f"unknown conventions {set(entry['conventions']) - KNOWN_CONVENTIONS}")
    if (entry["verdict"] == "pass") != (not entry["bugs"]):
        problems.append("verdict and bugs disagree")
    for bug in entry["bugs"]:
        if bug["id"] != "other" and bug["id"] not in ids:
            problems.append(f"unknown pitfall id {bug['id']}")
        if not bug["lines"] or max(bug["lines"]) > n:
            problems.append(f"bug lines {bug['lines']} outside the file")
        if not set(bug["lines"]) <= {line for line, _ in bug["fix"]}:
            problems.append(f"the fix of {bug['id']} leaves its lines {bug['lines']} as they are")
    return problems


def pitfall_ids() -> set[str]:
    return {line.split()[0] for line in PITFALLS.read_text().splitlines()
            if line.strip() and not line.startswith("#")}


# ---- main ------------------------------------------------------------------------------------

def check(entry: dict, ids: set[str], verbose: bool) -> list[str]:
    path = HERE / entry["file"]
    problems = static_problems(path, entry, ids)
    fn = getattr(load(path), entry["function"])
    seed = SEED
    bugs = entry["bugs"]
    runs = [("as written", [])]
    if bugs:
        if len(bugs) > 1:
            runs += [(f"with the fix of {b['id']} alone", [b]) for b in bugs]
        runs.append(("with every fix", list(bugs)))
    for label, fixed in runs:
        try:
            f = fn if not fixed else getattr(load(path, patched(path, fixed)), entry["function"])
        except Exception as exc:  # a fix that does not even load
            problems.append(f"{label}: the file does not load: {type(exc).__name__}: {exc}")
            continue
        rest = [b for b in bugs if b not in fixed]
        for k, (got, names) in enumerate(wrong_tensors(f, entry, seed)):
            want = named(rest, names)
            if verbose:
                print(f"   {label}, network {k}: wrong {sorted(got)}")
            if got != want:
                problems.append(f"{label}, network {k}: wrong {sorted(got)}, truth says {sorted(want)}")
    return problems


def self_test(manifest: list[dict], ids: set[str]) -> int:
    """The checker must reject wrong truths: a few deliberately wrong copies of real entries
    (a wrong ``where``, a fix one line off, a broken file called correct, a convention or a
    bug left out). Returns the number it let through."""
    import copy

    def first(pred):
        return copy.deepcopy(next(e for e in manifest if pred(e)))

    broken = first(lambda e: len(e["bugs"]) == 1 and e["bugs"][0]["where"] == ["W2"])
    wrong_where = copy.deepcopy(broken)
    wrong_where["bugs"][0]["where"] = ["W1"]
    off_by_one = copy.deepcopy(broken)
    bug = off_by_one["bugs"][0]
    bug["lines"] = [bug["lines"][0] + 1]
    bug["fix"] = [[bug["lines"][0], bug["fix"][0][1]]]
    called_pass = copy.deepcopy(broken)
    called_pass["bugs"], called_pass["verdict"] = [], "pass"
    no_convention = first(lambda e: not e["bugs"] and "labels" in e["conventions"])
    no_convention["conventions"] = ["labels"]
    one_bug_missing = first(lambda e: len(e["bugs"]) == 2)
    one_bug_missing["bugs"] = one_bug_missing["bugs"][:1]
    missed = 0
    for label, entry in (("a wrong where", wrong_where), ("a fix one line off", off_by_one),
                         ("a broken file called correct", called_pass),
                         ("a convention left out", no_convention),
                         ("one of two bugs left out", one_bug_missing)):
        caught = bool(check(entry, ids, False))
        print(f"self-test: {label} ({entry['file']}): {'rejected' if caught else 'ACCEPTED'}")
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
    ids = pitfall_ids()
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
        bugs = ", ".join(b["id"] for b in entry["bugs"]) or "-"
        status = "ok  " if not problems else "FAIL"
        print(f"{status} {entry['file']:<40} {entry['verdict']:<5} {bugs}")
        for p in problems:
            print(f"       {p}")
        failures += bool(problems)
    print(f"{checked} files checked, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
