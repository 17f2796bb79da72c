"""Check the answer key of this corpus (MANIFEST.json) against the files and the mathematics.

    .venv/bin/python benchmarks/learners2/check_truths.py            # exit 0: every truth holds
    .venv/bin/python benchmarks/learners2/check_truths.py -v FILE    # the wrong tensors per network
    .venv/bin/python benchmarks/learners2/check_truths.py --quick    # quotes and loading only
    .venv/bin/python benchmarks/learners2/check_truths.py --self-test  # wrong truths are rejected

For every file of MANIFEST.json:

1. every `lines` entry of every bug quotes the file's line at that number, word for word (an
   edit that moves a line fails here), and every `fix` names one of those lines;
2. the file loads: it imports (numpy only) and its `function` is a callable taking the
   arguments its `flags` imply (4, or 5 with `--mode update` without `--fixed-lr`);
3. (not with --quick) its truth holds numerically. Networks are drawn from the file's `flags`
   with crosscheck.reference's own sampler (the same options `crosscheck verify` reads, and
   its edges: the last layer x 1000 under a logit loss, ReLU ties), the function is called
   in its layout and mode, and every output (the loss, and each W_l, b_l read back from Theta
   matrices, unrolled vectors or the step an update takes) is compared with
   crosscheck.reference.loss_and_grads. A correct file agrees everywhere; a broken one
   disagrees on at least one network and only in the outputs its bugs' `where` name; with
   every bug's `fix` applied it agrees everywhere, and with all but one bug fixed it still
   disagrees (each bug of a two-bug file is real on its own).

It imports crosscheck.reference only (never the diagnosis, the line matcher or the engine):
the truths are decided by the mathematics, not by the tool measured on them.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import importlib.util
import inspect
import io
import json
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from crosscheck.reference import DEFAULT_ACTIVATIONS, loss_and_grads, random_case
from crosscheck.reference.sampling import edge_case

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "MANIFEST.json"
NETWORKS = 8          # ordinary random networks per file, then edges made from them
EDGE_KINDS = ("large-logits",) * 6 + ("relu-ties",) * 2
SEED = 20261204


def flag_parser() -> argparse.ArgumentParser:
    """The `crosscheck verify` flags this corpus uses, with verify's defaults."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--layout", default="xw", choices=("xw", "theta", "theta-unrolled"))
    p.add_argument("--mode", default="grads", choices=("grads", "update"))
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--fixed-lr", type=float, default=None)
    p.add_argument("--unrolled-order", default="C", choices=("C", "F"))
    p.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    p.add_argument("--edge-networks", default="on", choices=("on", "off"))
    p.add_argument("--activations", default=None)
    p.add_argument("--hidden-activations", default=None)
    p.add_argument("--output-activation", default=None)
    p.add_argument("--loss", default=None)
    p.add_argument("--targets", default="any")
    p.add_argument("--l2", type=float, default=None)
    p.add_argument("--reduction", default="mean", choices=("mean", "sum"))
    p.add_argument("--l2-convention", default="batch", choices=("batch", "plain"))
    p.add_argument("--no-bias", action="store_true")
    p.add_argument("--sizes", default=None)
    return p


def parse_flags(flags: list[str]) -> argparse.Namespace:
    opts = flag_parser().parse_args(flags)
    if opts.fixed_lr is not None:
        opts.mode = "update"
    return opts


def _names(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(text.split(","))


def draw_cases(opts: argparse.Namespace, seed: int) -> list:
    """NETWORKS random networks the flags allow, then the edges that apply to them."""
    spec_options = dict(
        activations=_names(opts.activations), losses=_names(opts.loss) or ("mse",),
        output_activations=_names(opts.output_activation), l2=opts.l2,
        reduction=opts.reduction, l2_convention=opts.l2_convention, bias=not opts.no_bias,
        max_depth=3, max_width=8)
    if opts.hidden_activations:
        spec_options["hidden_activations"] = _names(opts.hidden_activations)
    if opts.loss is None:
        spec_options["losses"] = ("mse", "softmax_cross_entropy", "sigmoid_bce")
    if opts.sizes:
        spec_options["sizes"] = tuple(int(s) for s in opts.sizes.split("-"))
    hidden = (_names(opts.hidden_activations)
              or (_names(opts.activations)[:-1] if opts.activations and "," in opts.activations
                  else _names(opts.activations)) or DEFAULT_ACTIVATIONS)
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(NETWORKS):
        cases.append(random_case(rng, max_batch=8, targets=opts.targets, **spec_options))
    if opts.edge_networks == "on":
        # several of each: a large-logits edge overflows a naive exp only when its largest
        # logit passes ~709 (84% of them), a naive log(1 - sigmoid) past ~37
        for i, kind in enumerate(EDGE_KINDS):
            edge = edge_case(cases[i], kind, rng, hidden_activations=tuple(hidden))
            if edge is not cases[i]:
                cases.append(edge)
    return cases


# ---------------------------------------------------------------- layouts
def to_layout(params: dict, spec, opts) -> object:
    if opts.layout == "xw":
        return {k: v.copy() for k, v in params.items()}
    thetas = {f"Theta{k}": np.hstack([params[f"b{k}"][:, None], params[f"W{k}"].T])
              for k in range(1, spec.depth + 1)}
    if opts.layout == "theta":
        return thetas
    return np.concatenate([thetas[f"Theta{k}"].ravel(order=opts.unrolled_order)
                           for k in range(1, spec.depth + 1)])


def from_layout(value, spec, opts) -> dict:
    """A dict W_l, b_l (float64) from what the function returned in its layout."""
    if opts.layout == "xw":
        return {k: np.asarray(v, dtype=np.float64) for k, v in value.items()}
    if opts.layout == "theta":
        thetas = value
    else:
        thetas, start = {}, 0
        vec = np.asarray(value).ravel()
        for k in range(1, spec.depth + 1):
            shape = (spec.sizes[k], spec.sizes[k - 1] + 1)
            size = shape[0] * shape[1]
            thetas[f"Theta{k}"] = vec[start:start + size].reshape(shape, order=opts.unrolled_order)
            start += size
    out = {}
    for k in range(1, spec.depth + 1):
        T = np.asarray(thetas[f"Theta{k}"], dtype=np.float64)
        out[f"W{k}"], out[f"b{k}"] = T[:, 1:].T, T[:, 0]
    return out


def run_subject(fn, case, opts) -> dict:
    """{output name: value} the function gives on `case`, read back in the W/b layout
    (in update mode the gradient its step implies), or {"error": message}."""
    spec = case.spec
    dtype = np.float32 if opts.dtype == "float32" else np.float64
    params = {k: v.astype(dtype) for k, v in case.params.items()}
    X = case.X.astype(dtype)
    Y = case.Y if case.Y.dtype.kind == "i" else case.Y.astype(dtype)
    args = to_layout(params, spec, opts)
    before = [a.copy() for a in (args.values() if isinstance(args, dict) else [args])]
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), \
                contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            if opts.mode == "update":
                lr = opts.fixed_lr if opts.fixed_lr is not None else opts.lr
                extra = () if opts.fixed_lr is not None else (lr,)
                new = fn(args, X.copy(), Y.copy(), spec, *extra)
            else:
                loss, grads = fn(args, X.copy(), Y.copy(), spec)
    except Exception as exc:  # a broken subject may raise: that is its wrong output
        return {"error": f"{type(exc).__name__}: {exc}"}
    after = list(args.values() if isinstance(args, dict) else [args])
    if any(not np.array_equal(b, a, equal_nan=True) for b, a in zip(before, after, strict=True)):
        return {"error": "changed its arguments"}
    if opts.mode == "update":
        old = from_layout(to_layout(params, spec, opts), spec, opts)
        try:
            new = from_layout(new, spec, opts)
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}
        return {k: (old[k].astype(np.float64) - new[k]) / lr for k in old}
    try:
        out = from_layout(grads, spec, opts)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    out["loss"] = np.float64(loss)
    return out


def reference(case, opts) -> dict:
    """The truth, at the inputs the function saw (float32 inputs read back as float64)."""
    if opts.dtype == "float32":
        params = {k: v.astype(np.float32).astype(np.float64) for k, v in case.params.items()}
        X = case.X.astype(np.float32).astype(np.float64)
        Y = case.Y if case.Y.dtype.kind == "i" else case.Y.astype(np.float32).astype(np.float64)
    else:
        params, X, Y = case.params, case.X, case.Y
    loss, grads = loss_and_grads(params, X, Y, case.spec)
    out = dict(grads)
    if opts.mode == "grads":
        out["loss"] = np.float64(loss)
    return out


def wrong_outputs(got: dict, want: dict, opts) -> set[str]:
    if "error" in got:
        return {"error"}
    rtol = 1e-3 if opts.dtype == "float32" else 1e-7
    wrong = set()
    for name, ref in want.items():
        value = got.get(name)
        if value is None or np.shape(value) != np.shape(ref):
            wrong.add(name)
            continue
        scale = 1.0 + float(np.max(np.abs(ref))) if np.size(ref) else 1.0
        if not np.all(np.isfinite(value)) or np.max(np.abs(value - ref), initial=0.0) > rtol * scale:
            wrong.add(name)
    return wrong


# ---------------------------------------------------------------- loading
def load_function(path: Path, name: str, source: str | None = None):
    """The module's function; `source` replaces the file's text (a fixed variant)."""
    if source is not None:
        tmp = Path(tempfile.mkdtemp()) / path.name
        tmp.write_text(source)
        path = tmp
    spec = importlib.util.spec_from_file_location(f"learners2_{path.stem}_{abs(hash(source))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def apply_fixes(text: str, fixes: list) -> str:
    lines = text.split("\n")
    for number, new in sorted(fixes, key=lambda f: -f[0]):
        if new is None:
            del lines[number - 1]
        else:
            lines[number - 1:number] = new.split("\n")
    return "\n".join(lines)


def check_quotes(entry: dict, text: str) -> list[str]:
    problems = []
    lines = text.split("\n")
    for bug in entry["bugs"]:
        quoted = {q["line"] for q in bug["lines"]}
        for q in bug["lines"]:
            n = q["line"]
            if not 1 <= n <= len(lines) or lines[n - 1] != q["text"]:
                got = lines[n - 1] if 1 <= n <= len(lines) else "<no such line>"
                problems.append(f"line {n} is {got!r}, the manifest quotes {q['text']!r}")
        for number, new in bug.get("fix", []):
            # a line the bug does not quote may only receive a moved statement after it
            kept = 1 <= number <= len(lines) and (new or "").startswith(lines[number - 1] + "\n")
            if number not in quoted and not kept:
                problems.append(f"a fix changes line {number}, which the bug does not quote")
    if (entry["verdict"] == "pass") != (not entry["bugs"]):
        problems.append("a pass has bugs, or a fail has none")
    return problems


def check_loads(entry: dict, path: Path, opts) -> list[str]:
    try:
        fn = load_function(path, entry["function"])
    except Exception as exc:
        return [f"does not load: {type(exc).__name__}: {exc}"]
    if not callable(fn):
        return [f"{entry['function']} is not callable"]
    want = 5 if opts.mode == "update" and opts.fixed_lr is None else 4
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.default is inspect.Parameter.empty]
    if len(params) != want:
        return [f"{entry['function']} takes {len(params)} arguments, its flags call it with {want}"]
    return []


def relu_tie_right(case):
    """The case with ReLU'(0) = 1 at the relu-ties edge's exact zeros: b1 lifted to the
    smallest positive float moves every tied pre-activation of layer 1 just right of its kink
    and changes nothing else (a subject whose only difference is that subgradient agrees)."""
    if case.spec.activations[0] != "relu" or not case.spec.bias:
        return case
    params = {**case.params, "b1": np.where(case.params["b1"] == 0, 5e-324, case.params["b1"])}
    return type(case)(spec=case.spec, params=params, X=case.X, Y=case.Y, scale=case.scale)


def wrong_by_network(fn, cases, opts, convention: str | None = None) -> list[set[str]]:
    wrong = []
    for case in cases:
        truth = reference(case, opts)
        if convention == "relu-tie":
            truth_right = reference(relu_tie_right(case), opts)
            got = run_subject(fn, case, opts)
            wrong.append(wrong_outputs(got, truth, opts) and wrong_outputs(got, truth_right, opts))
        else:
            wrong.append(wrong_outputs(run_subject(fn, case, opts), truth, opts))
    return wrong


def check_numbers(entry: dict, path: Path, opts, seed: int, verbose: bool) -> list[str]:
    fn = load_function(path, entry["function"])
    cases = draw_cases(opts, seed)
    convention = (entry.get("convention") or {}).get("id")
    wrong = wrong_by_network(fn, cases, opts, convention)
    if verbose:
        for case, w in zip(cases, wrong, strict=True):
            print(f"    {case.spec.describe()} batch={case.batch}: {', '.join(sorted(w)) or 'agrees'}")
    problems = []
    if entry["verdict"] == "pass":
        bad = [w for w in wrong if w]
        if bad:
            problems.append(f"a correct file disagrees on {len(bad)} networks: {sorted(set().union(*bad))}")
        return problems
    where = [p for bug in entry["bugs"] for p in bug["where"]]
    if not any(wrong):
        problems.append("a broken file agrees on every network")
    stray = {n for w in wrong for n in w if not any(fnmatch.fnmatch(n, p) for p in where)}
    if stray:
        problems.append(f"wrong outside the bugs' where {where}: {sorted(stray)}")
    text = path.read_text()
    fixed = load_function(path, entry["function"],
                          apply_fixes(text, [f for bug in entry["bugs"] for f in bug["fix"]]))
    still = [w for w in wrong_by_network(fixed, cases, opts) if w]
    if still:
        problems.append(f"with every fix applied it still disagrees: {sorted(set().union(*still))}")
    if len(entry["bugs"]) > 1:
        for keep in entry["bugs"]:
            others = [f for bug in entry["bugs"] if bug is not keep for f in bug["fix"]]
            one = load_function(path, entry["function"], apply_fixes(text, others))
            if not any(wrong_by_network(one, cases, opts)):
                problems.append(f"bug {keep['id']} alone is invisible (the other fixes make it agree)")
    return problems


def check_entry(entry: dict, seed: int, verbose: bool = False, quick: bool = False,
                text: str | None = None) -> list[str]:
    """Every problem with one file's truth (`text` stands in for the file's text)."""
    path = HERE / entry["file"]
    opts = parse_flags(entry["flags"])
    problems = check_quotes(entry, path.read_text() if text is None else text)
    problems += check_loads(entry, path, opts)
    if not problems and not quick:
        problems = check_numbers(entry, path, opts, seed, verbose)
    return problems


def self_test(entries: list[dict], seed: int) -> int:
    """Wrong truths must be rejected: each mutation of the manifest (or a file's text) below
    has to make check_entry report a problem."""
    by_name = {e["file"]: e for e in entries}
    broken = by_name["tanh_softmax_classifier.py"]
    correct = by_name["sequential_dense_tanh.py"]
    two = by_name["cs231n_fc_net_modular.py"]
    text = (HERE / broken["file"]).read_text()

    def mutated(entry, **changes):
        return json.loads(json.dumps({**entry, **changes}))

    shifted = mutated(broken)
    shifted["bugs"][0]["lines"][0]["line"] += 1
    narrowed = mutated(broken)
    narrowed["bugs"][0]["where"] = ["b*"]
    one_fix = mutated(two)
    one_fix["bugs"][1]["fix"] = []
    correct_lines = (HERE / correct["file"]).read_text().split("\n")
    fake_line = next(i for i, t in enumerate(correct_lines, start=1) if "return 2.0" in t)
    fake = mutated(correct, verdict="fail", bugs=[{
        "id": "other", "where": ["W*"], "description": "not a bug",
        "lines": [{"line": fake_line, "text": correct_lines[fake_line - 1]}], "fix": []}])
    cases = {
        "a quoted line moved by one": (shifted, None),
        "a line inserted above the bug": (broken, "# a comment\n" + text),
        "a broken file declared correct": (mutated(broken, verdict="pass", bugs=[]), None),
        "a correct file declared broken": (fake, None),
        "a bug's where too narrow": (narrowed, None),
        "one of two fixes missing": (one_fix, None),
    }
    failures = 0
    for what, (entry, text_) in cases.items():
        problems = check_entry(entry, seed, text=text_)
        print(f"{'rejected' if problems else 'NOT REJECTED'}: {what}"
              + (f" ({problems[0]})" if problems else ""))
        failures += not problems
    return 1 if failures else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", help="only these files (names as in MANIFEST.json)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--quick", action="store_true", help="quotes and loading only")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--self-test", action="store_true", help="check that wrong truths are rejected")
    args = ap.parse_args(argv)
    entries = json.loads(MANIFEST.read_text())
    if args.self_test:
        return self_test(entries, args.seed)
    names = [e["file"] for e in entries]
    if len(set(names)) != len(names):
        print("MANIFEST.json names a file twice")
        return 1
    on_disk = {p.name for p in HERE.glob("*.py")} - {Path(__file__).name}
    failures = 0
    if set(names) != on_disk and not args.files:
        print(f"files without a truth: {sorted(on_disk - set(names))}; "
              f"truths without a file: {sorted(set(names) - on_disk)}")
        failures += 1
    for entry in entries:
        if args.files and entry["file"] not in args.files:
            continue
        if args.verbose:
            print(f"{entry['file']} ({entry['verdict']})")
        problems = check_entry(entry, args.seed, args.verbose, args.quick)
        for problem in problems:
            print(f"{entry['file']}: {problem}")
        failures += bool(problems)
    checked = len(args.files) if args.files else len(entries)
    print(f"{checked - failures} of {checked} truths hold" if failures
          else f"every truth holds ({checked} files)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
