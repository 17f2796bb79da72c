"""Real learners' code end to end (issue 19): the independently written learner corpus
(tests/learner_corpus: CS231n, Ng/Octave ports, Nielsen, DLFS, SGD steps, float32 ports), each
subject run as `crosscheck verify` with the flags its code naturally needs (its MANIFEST's
`conventions` and `options`: integer labels, CS231n's plain L2, summed losses, no biases, a
step size built in, column-major unrolled vectors, float32), graded like the diagnosis corpus:
verdict, catalogued bug named first, honest unknown, wrong lead, "could not measure".

    python benchmarks/learner_corpus.py [--networks 10] [--seed 0] [--show] [name-substring ...]
    python benchmarks/learner_corpus.py --holdout     # benchmarks/learners2, never tuned on

``--holdout`` runs the second corpus (benchmarks/learners2, 34 files by another author who had
not read the diagnosis either), each file with the exact flags of its MANIFEST entry, through
the command line's own parser.

A correct subject whose gradients are right on every network but whose textbook loss
overflows on an edge network (logits in the thousands) fails, and says so ("the gradients are
right on every network; only the loss fails"): that is counted apart, as "loss only".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "learner_corpus"
HOLDOUT = ROOT / "benchmarks" / "learners2"
sys.path.insert(0, str(ROOT / "tests" / "corpus"))

import score  # noqa: E402  (tests/corpus/score.py: the same grading as the diagnosis corpus)

from crosscheck.api import options_for, run_verify  # noqa: E402
from crosscheck.cli.main import build_parser  # noqa: E402
from crosscheck.cli.verify import checker  # noqa: E402
from crosscheck.diagnosis.conclude import GRADIENTS_RIGHT  # noqa: E402
from crosscheck.subject.loading import target_label  # noqa: E402

# a MANIFEST convention -> the keywords of crosscheck.verify that express it
CONVENTIONS = {
    "labels": {"targets": "labels"},
    "l2-plain": {"l2_convention": "plain"},
    "reduction-sum": {"reduction": "sum"},
    "no-bias": {"bias": False},
    "unrolled-F": {"unrolled_order": "F"},
    "float32": {"dtype": "float32"},
    "fixed-lr": {},  # the step size comes from options.fixed_lr
}


def flags_of(entry: dict) -> tuple[dict, dict]:
    """(network keywords for options_for, call keywords for run_verify) of one subject."""
    o = dict(entry.get("options", {}))
    net, call = {}, {}
    for c in entry.get("conventions", []):
        for k, v in CONVENTIONS[c].items():
            (call if k in ("dtype", "unrolled_order") else net)[k] = v
    hidden, out = o.get("hidden_activations"), o.get("output_activation")
    if "depth" in o and hidden and out:  # a fixed depth: every layer's activation
        net["activations"] = (hidden,) * (o["depth"] - 1) + (out,)
    else:
        net["hidden_activations"], net["output_activation"] = hidden, out
    for k in ("loss", "targets", "l2"):
        if k in o:
            net[k] = o[k]
    if "sizes" in o:
        net["sizes"] = tuple(o["sizes"])
        if hidden and out:
            net.pop("hidden_activations", None)
            net.pop("output_activation", None)
            net["activations"] = (hidden,) * (len(o["sizes"]) - 2) + (out,)
    if "fixed_lr" in o:
        call["fixed_lr"] = o["fixed_lr"]
    if "lr" in o:
        call["lr"] = o["lr"]
    return net, call


def run_entry(entry: dict, *, networks: int, seed: int):
    target = f"{CORPUS / entry['file']}:{entry['function']}"
    net, call = flags_of(entry)
    options = options_for(networks=networks, seed=seed, **net)
    mode = "update" if call.get("fixed_lr") or entry["mode"] == "update" else "grads"
    return run_verify(target, target_label(target), layout=entry["layout"], mode=mode,
                      lr=call.get("lr", 0.1), timeout=10.0, options=options,
                      oracles=("torch", "fd"), shrink=0, dtype=call.get("dtype", "float64"),
                      fixed_lr=call.get("fixed_lr"),
                      unrolled_order=call.get("unrolled_order", "C"))


def run_flags(entry: dict, *, networks: int, seed: int, corpus: Path):
    """A holdout entry (its ``flags`` as a learner types them) through verify's own parser."""
    target = f"{corpus / entry['file']}:{entry['function']}"
    args = build_parser().parse_args(["verify", target, *entry["flags"], "--networks",
                                      str(networks), "--seed", str(seed), "--shrink", "0"])
    check, _ = checker(args)
    return check()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--networks", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--show", action="store_true", help="print each failing conclusion")
    p.add_argument("--holdout", action="store_true",
                   help="the second corpus, benchmarks/learners2 (never tuned on)")
    p.add_argument("only", nargs="*")
    args = p.parse_args()
    corpus = HOLDOUT if args.holdout else CORPUS
    manifest = json.loads((corpus / "MANIFEST.json").read_text())
    grades, loss_only, t0 = [], [], time.perf_counter()
    for entry in manifest:
        if args.only and not any(s in entry["file"] for s in args.only):
            continue
        result = (run_flags(entry, networks=args.networks, seed=args.seed, corpus=corpus)
                  if "flags" in entry else run_entry(entry, networks=args.networks, seed=args.seed))
        g = score.grade(entry, result)
        lone_loss = (entry["verdict"] == "pass" and not result.passed
                     and GRADIENTS_RIGHT in result.conclusion)
        if lone_loss:
            loss_only.append(entry["file"])
        grades.append(g)
        flag = "" if g.verdict_ok else ("  LOSS ONLY (edge network)" if lone_loss
                                        else "  VERDICT WRONG")
        shown = ",".join(entry.get("conventions", [])) or " ".join(
            f for f in entry.get("flags", []) if f.startswith("--")) or "-"
        print(f"{g.outcome:11} {Path(g.name).stem:30} {shown:24} "
              f"truth={','.join(g.truth) or '-':32} named={','.join(g.named) or '-'}"
              f"{' COULD NOT MEASURE' if g.unmeasured else ''}{flag}")
        if args.show and not result.passed:
            print("    " + result.conclusion.replace("\n", "\n    "))
    s = score.summary(grades)
    catalogued = [g for g in grades if g.outcome not in ("pass-ok", "false-alarm")
                  and set(g.truth) - {"other"}]
    right = sum(g.outcome == "right" for g in catalogued)
    unmeasured = sum(bool(g.unmeasured) for g in grades)
    verdicts = s["verdicts_right"] + len(loss_only)
    print(f"\n{'holdout learner corpus (benchmarks/learners2)' if args.holdout else 'learner corpus'}"
          f" ({s['subjects']} subjects, {args.networks} networks each, seed "
          f"{args.seed}, {time.perf_counter() - t0:.0f} s): verdicts {verdicts}/{s['subjects']} "
          f"({len(loss_only)} of them a correct gradient whose textbook loss overflows on an "
          f"edge network, said as such); of {s['buggy']} broken, {len(catalogued)} with a "
          f"catalogued bug: named first {right} ({100 * right / max(len(catalogued), 1):.0f}%), "
          f"honest unknown {s['unknown']}, wrong lead {s['wrong']}; 'could not measure' "
          f"printed {unmeasured} time(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
