"""Finding the line on the corpora: is the first wrong line pointed at a buggy line?

For every MLP subject of a corpus whose broken subjects record their buggy lines (``lines`` in
the MANIFEST's bugs), run it as ``crosscheck verify`` does (a worker, the torch and fd oracles,
the worst failing network shrunk) and score the line ``verify`` reports:

- hit: the line is one of the buggy lines the corpus author recorded;
- miss: another line;
- unmatched: "no line's arrays could be matched" (honest, counted apart);
- no line: the subject did not fail, or failed in a way that is not looked into (it raised).

A correct subject scores a point for every line it gets (the target is 0); one whose
textbook loss overflows on the edge networks only (verify fails it, saying "the gradients are
right on every network") is counted apart, its line being where that loss overflows.
Subjects written under conventions the MLP contract does not express (``unrolled-F``, ``no-bias``,
``reduction-sum``, ``fixed-lr``: correct code fails under the contract there) are listed
apart, not scored; ``l2-plain`` subjects (``0.5 * reg * sum(W^2)``) are checked at l2 = 0,
where a bug in their L2 term cannot show ("no line", verdict pass). The tracing's cost is
shown beside each subject: the traced call against one plain call of the subject on the same
case, and against the failing case's own check (the subject, torch and fd on it; the
target is at most 2x); each the best of three warm runs in a worker of its own (verify's own
timing of a check is a single run, too noisy for a ratio of milliseconds).

Layer pairs (tests/layer_corpus, the layer entries of the holdout) run as ``crosscheck
verify-layer`` does (a worker, torch and tensorflow, finite differences of the pair's forward,
the first failing case shrunk): their cost is the traced call of the pair against one plain
call and against the check of the case the line was looked for on (every oracle). CNNs
(tests/cnn_corpus on its architecture with l2 = 0.3, the holdout's CNN on its own) run as
``crosscheck verify --cnn``. Layers and CNNs are tallied apart from the MLPs.

    python benchmarks/find_line.py [--corpus learner|corpus|layer|cnn|holdout|holdout2]
                                   [--networks 3]
                                   [--cases 20] [name ...]

benchmarks/holdout and benchmarks/holdout2 are holdouts: the matcher is never tuned on them;
run them only to report.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
CORPORA = {"learner": ROOT / "tests" / "learner_corpus",
           "corpus": ROOT / "tests" / "corpus",
           "layer": ROOT / "tests" / "layer_corpus",
           "cnn": ROOT / "tests" / "cnn_corpus",
           "holdout": ROOT / "benchmarks" / "holdout",
           "holdout2": ROOT / "benchmarks" / "holdout2"}
# the CNN corpus's architecture (tests/cnn_corpus/README.md), with an L2 term so that its
# regularisation bugs show
CNN_CORPUS_NET = "3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(16)-relu-affine(5) l2=0.3"
OUTSIDE = {"unrolled-F", "no-bias", "reduction-sum", "fixed-lr"}


def _options(entry: dict, networks: int, seed: int):
    from crosscheck.api import options_for

    o = entry.get("options", {})
    depth = o.get("depth")
    hidden, out = o.get("hidden_activations"), o.get("output_activation")
    # a function written for one depth gets that depth on every network (as
    # benchmarks/learner_corpus.py runs it), not "at most"
    fixed = (hidden,) * (depth - 1) + (out,) if depth and hidden and out else None
    return options_for(networks=networks, seed=seed, sizes=o.get("sizes"), loss=o.get("loss"),
                       activations=fixed,
                       hidden_activations=None if fixed else hidden,
                       output_activation=None if fixed else out,
                       targets=o.get("targets", "any"),
                       # 0.5 * reg * sum(W^2) is not the contract's l2 / (2 batch): checked at 0
                       l2=0.0 if "l2-plain" in entry.get("conventions", ()) else o.get("l2"),
                       max_depth=depth or 4, max_width=12)


def _edge_loss(result) -> bool:
    """A right backprop whose textbook loss overflows on the edge networks only (verify fails
    it and says so in its conclusion)."""
    from crosscheck.diagnosis.conclude import GRADIENTS_RIGHT

    return GRADIENTS_RIGHT in result.conclusion


def _call(worker, case) -> None:
    """One plain call (a gradient of the wrong shape, an lr-dependent step: it ran, then
    was refused)."""
    from crosscheck.engine.check import SubjectError

    try:
        worker(case.params, case.X, case.Y, case.spec)
    except SubjectError:
        pass


def _cost(worker, case) -> tuple[float, float]:
    """Seconds of one plain call and of one traced call of the subject on ``case``."""
    t0 = time.perf_counter()
    _call(worker, case)
    t1 = time.perf_counter()
    worker.trace(case.params, case.X, case.Y, case.spec)
    return t1 - t0, time.perf_counter() - t1


def run(entry: dict, folder: Path, networks: int, seed: int) -> dict:
    from crosscheck.api import run_verify
    from crosscheck.subject.loading import target_label
    from crosscheck.subject.worker import SubjectWorker

    target = f"{folder / entry['file']}:{entry['function']}"
    o = entry.get("options", {})
    dtype = "float32" if "float32" in entry.get("conventions", ()) else "float64"
    lr = o.get("lr", 0.1)
    result = run_verify(target, target_label(target), layout=entry["layout"], mode=entry["mode"],
                        lr=lr, timeout=30.0, options=_options(entry, networks, seed),
                        oracles=("torch", "fd"), shrink=1, dtype=dtype)
    found = next((c for c in result.cases if c.line), None)
    out = {"verdict": result.verdict, "line": dict(found.line) if found else None,
           "edge_loss": _edge_loss(result)}
    if found is not None:
        with SubjectWorker(target, layout=entry["layout"], mode=entry["mode"], lr=lr,
                           dtype=dtype) as worker:
            worker.load()
            # the failing case's own check, all parties, timed as the traced calls are (the
            # best of three, warm); none when nothing was compared (a gradient of the wrong
            # shape, an lr-dependent step)
            out["check"] = None if found.error else _check_cost(worker, found.case, dtype)
            out["plain"], out["traced"] = _plan_cost(worker, found, dtype)
    return out


def _check_cost(worker, case, dtype: str) -> float:
    """Seconds of the best of three checks of ``case`` (the subject in ``worker``, torch, fd),
    after one to warm them."""
    from crosscheck.engine.check import check_case
    from crosscheck.engine.tolerances import SubjectTolerance
    from crosscheck.runner import load_oracles

    parties = load_oracles(("torch", "fd"))
    tolerance = SubjectTolerance(dtype=dtype)
    times = []
    for _ in range(4):
        t0 = time.perf_counter()
        check_case(case, worker, parties, tolerance=tolerance)
        times.append(time.perf_counter() - t0)
    return min(times[1:])


def _plan_cost(worker, found, dtype: str) -> tuple[float, float]:
    """(one plain call of the case whose line verify kept, the seconds of every traced call
    it made for ``found``): the cases of verify's plan in its order, up to the one whose
    line it kept (crosscheck/api.py)."""
    from crosscheck.api import _settled, _trace_plan
    from crosscheck.locate import find_line

    plain = traced = 0.0
    for case, shape in _trace_plan(found):
        _call(worker, case)  # warm: imports, first-call costs
        p, t = min((_cost(worker, case) for _ in range(3)), key=lambda pt: pt[1])
        plain, traced = p, traced + t
        if _settled(find_line(worker, case, dtype=dtype, shape=shape)):
            break
    return plain, traced


def run_cnn(entry: dict, folder: Path, networks: int, seed: int) -> dict:
    """A CNN subject as ``crosscheck verify --cnn`` runs it, scored as :func:`run`."""
    from crosscheck.api import run_verify
    from crosscheck.engine.campaign import CampaignOptions
    from crosscheck.subject.worker import SubjectWorker

    target = f"{folder / entry['file']}:{entry.get('function', 'loss_and_grads')}"
    options = CampaignOptions(architecture="cnn", networks=networks, seed=seed,
                              cnn=entry.get("cnn") or CNN_CORPUS_NET)
    result = run_verify(target, entry["file"], layout="xw", mode="grads", lr=0.1, timeout=30.0,
                        options=options, oracles=("torch", "fd"), shrink=1)
    found = next((c for c in result.cases if c.line), None)
    out = {"verdict": result.verdict, "line": dict(found.line) if found else None,
           "edge_loss": _edge_loss(result)}
    if found is not None:
        case = found.shrunk[0] if found.shrunk else found.case  # as verify traced it
        with SubjectWorker(target) as worker:
            worker.load()
            out["check"] = _check_cost(worker, found.case, "float64")
            worker(case.params, case.X, case.Y, case.spec)
            out["plain"], out["traced"] = min((_cost(worker, case) for _ in range(3)),
                                              key=lambda t: t[1])
    return out


def run_layer_entry(entry: dict, folder: Path, cases: int, seed: int) -> dict:
    """A layer pair as ``crosscheck verify-layer`` runs it, scored as :func:`run`; its cost
    on the case the line was looked for on."""
    from crosscheck.oracles.tf_layers import tf_layer
    from crosscheck.oracles.torch_layers import torch_layer

    from crosscheck.layers.check import check_layer_case, prepare
    from crosscheck.layers.kinds import KINDS
    from crosscheck.layers.verify import run_layer
    from crosscheck.subject.worker import SubjectWorker

    kind, path = entry["kind"], folder / entry["file"]
    loss = KINDS[kind].loss
    fwd = entry.get("forward") or (kind if loss else f"{kind}_forward")
    bwd = None if loss else (entry.get("backward") or f"{kind}_backward")
    targets = (f"{path}:{fwd}", f"{path}:{bwd}" if bwd else None)
    dropout_p = "keep"  # as the truth's verdict was judged (a "drop" pair fails under it)
    result = run_layer(kind, *targets, entry["file"], cases=cases, seed=seed, shrink=1,
                       dropout_p=dropout_p).result
    out = {"verdict": "pass" if result.passed else "fail", "line": result.line}
    if result.line is None:
        return out
    numeric = [(s.case, s.data) for s in result.shrunk if not s.case.error and s.case.findings]
    case = numeric[0][0] if numeric else next(c for c in result.cases if c.verdict == "fail"
                                              and not c.error and c.findings)
    data = numeric[0][1] if numeric else prepare(case.shape)
    test = case.shape.mode == "test"
    with SubjectWorker(targets[0], layer=(kind, *targets), timeout=30.0) as worker:
        worker.load()

        def pair_call(arrays, extra, dout, numerical, forward_only=False):
            return worker.call_layer(arrays, extra, dout, numerical=numerical,
                                     forward_only=forward_only)

        check_layer_case(case.shape, pair_call, label=entry["file"],
                         oracles={"torch": torch_layer, "tensorflow": tf_layer},
                         dropout_p=dropout_p)  # warm: the frameworks' first-call costs
        t1 = time.perf_counter()
        check_layer_case(case.shape, pair_call, label=entry["file"],
                         oracles={"torch": torch_layer, "tensorflow": tf_layer},
                         dropout_p=dropout_p)
        out["check"] = time.perf_counter() - t1
        timings = []
        for _ in range(3):
            a = time.perf_counter()
            worker.call_layer(data.arrays, data.extra, data.dout, numerical=False,
                              forward_only=test)
            b = time.perf_counter()
            worker.trace_layer(data.arrays, data.extra, data.dout, test)
            timings.append((b - a, time.perf_counter() - b))
        out["plain"], out["traced"] = min(timings, key=lambda t: t[1])
    return out


def _buggy_lines(entry: dict) -> list[int]:
    bugs = entry.get("bugs") or ([entry["bug"]] if entry.get("bug") else [])
    return sorted({n for b in bugs for n in b.get("lines", ())})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="learner")
    parser.add_argument("--networks", type=int, default=3)
    parser.add_argument("--cases", type=int, default=20, help="cases per layer pair")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--manifest", type=Path, help="another MANIFEST.json for the corpus's "
                        "subjects (e.g. one that records their lines)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each line found")
    parser.add_argument("only", nargs="*")
    args = parser.parse_args()
    folder = CORPORA[args.corpus]
    manifest = json.loads((args.manifest or folder / "MANIFEST.json").read_text())
    tallies: dict[str, dict] = {}
    ratios: dict[str, list] = {}
    t0 = time.perf_counter()
    for entry in manifest:
        if args.only and not any(s in entry["file"] for s in args.only):
            continue
        layer, cnn = bool(entry.get("kind")), bool(entry.get("cnn")) or args.corpus == "cnn"
        family = "layers and CNNs" if layer or cnn else "MLP"
        tally = tallies.setdefault(family, {
            "hit": 0, "miss": 0, "unmatched": 0, "no line": 0, "correct": 0,
            "correct with a line": 0, "edge loss": 0, "outside": 0, "no recorded lines": 0})
        name = Path(entry["file"]).stem + (f" [{entry['kind']}]" if layer else "")
        broken = entry["verdict"] != "pass"
        buggy = _buggy_lines(entry)
        if OUTSIDE & set(entry.get("conventions", ())):
            tally["outside"] += 1
            print(f"{'outside':10} {name:34} conventions {','.join(entry['conventions'])}")
            continue
        if broken and not buggy:
            tally["no recorded lines"] += 1
            print(f"{'no truth':10} {name:34} (its bugs record no lines)")
            continue
        if layer:
            r = run_layer_entry(entry, folder, args.cases, args.seed)
        elif cnn:
            r = run_cnn(entry, folder, args.networks, args.seed)
        else:
            r = run(entry, folder, args.networks, args.seed)
        line = r["line"]
        checked = r.get("check") is not None
        cost = (f"  trace {1e3 * r['traced']:.0f} ms: {r['traced'] / max(r['plain'], 1e-9):.1f}x "
                f"its call, " + (f"{r['traced'] / max(r['check'], 1e-9):.2f}x its check"
                                 if checked else "nothing compared")
                if "plain" in r else "")
        if "plain" in r:
            ratios.setdefault(family, []).append((r["traced"] / max(r["plain"], 1e-9),
                                                  r["traced"] / max(r["check"], 1e-9)
                                                  if checked else None))
        if not broken:
            tally["correct"] += 1
            got = line is not None and line["status"] == "found"
            edge = got and r.get("edge_loss", False)  # the line is where its loss overflows
            tally["correct with a line"] += got and not edge
            tally["edge loss"] += edge
            print(f"{'edge loss' if edge else 'CORRECT+' if got else 'correct':10} {name:34} "
                  f"{r['verdict']}" + (f"  points at {line['line']}" if got else ""))
            if args.verbose and edge:
                print("    " + line["text"].replace("\n", "\n    "))
            continue
        if line is None:
            outcome, where = "no line", f"verdict {r['verdict']}"
        elif line["status"] != "found":
            outcome, where = "unmatched", line["reason"][:70]
        else:
            outcome = "hit" if line["line"] in buggy else "miss"
            where = f"line {line['line']} (buggy {buggy})"
        tally[outcome] += 1
        print(f"{outcome:10} {name:34} {where}{cost}")
        if args.verbose and line is not None:
            print("    " + line["text"].replace("\n", "\n    "))
    print()
    for family, tally in tallies.items():
        _summary(args.corpus, family, tally, ratios.get(family, []), time.perf_counter() - t0)
    return 0


def _summary(corpus: str, family: str, tally: dict, ratios: list, seconds: float) -> None:
    checks = [r[1] for r in ratios if r[1] is not None]
    looked = tally["hit"] + tally["miss"] + tally["unmatched"]  # a numeric failure: looked for
    broken = looked + tally["no line"]
    print(f"find the line on {corpus} ({seconds:.0f} s): the first wrong "
          f"line is a buggy line in {tally['hit']} of {broken} broken {family} subjects "
          f"({100 * tally['hit'] / max(broken, 1):.0f}%; {tally['hit']} of {looked} where verify "
          f"looked for one, {100 * tally['hit'] / max(looked, 1):.0f}%); wrong line "
          f"{tally['miss']}, could not "
          f"match {tally['unmatched']}, no line {tally['no line']}; correct subjects with a line "
          f"{tally['correct with a line']} of {tally['correct']}"
          + (f" ({tally['edge loss']} of them fail only where their textbook loss overflows "
             f"on the edge networks, the gradients right: the line named there is that "
             f"loss's, counted apart)"
             if tally["edge loss"] else "")
          + f"; outside the contract "
          f"{tally['outside']}, broken without recorded lines {tally['no recorded lines']}"
          + (f"; the traced call took {min(r[0] for r in ratios):.1f}x to "
             f"{max(r[0] for r in ratios):.1f}x a plain call of the subject on the same case"
             if ratios else "")
          + (f", {min(checks):.2f}x to {max(checks):.2f}x the failing case's own check "
             f"(subject and oracles)" if checks else ""))


if __name__ == "__main__":
    sys.exit(main())
