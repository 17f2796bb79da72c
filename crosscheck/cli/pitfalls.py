"""``crosscheck pitfalls`` lists the catalogue; ``crosscheck explain ID`` teaches one pitfall:
the bug, the fix, the symptom, and a live demonstration (the gate on a network where the bug
shows, the diagnosis, and a short training run whose loss may still go down)."""

from __future__ import annotations

import difflib
import sys
import textwrap
from pathlib import Path

import numpy as np

from crosscheck.diagnosis import CATALOGUE, DEFAULT_LR, Pitfall, grads_from_step
from crosscheck.diagnosis.variants import update_order_step
from crosscheck.engine.compare import format_index
from crosscheck.engine.trust import trust_rank
from crosscheck.errors import UsageError
from crosscheck.reference import loss_and_grads
from crosscheck.reports.atomic import write_atomic
from crosscheck.runner import load_oracles

__all__ = ["add_parser", "run_explain", "run_pitfalls"]

_KINDS = {"subject": "backprop", "update": "SGD step", "fd": "finite differences"}
_WIDTH = 92


def add_parser(sub) -> None:
    p = sub.add_parser("pitfalls", help="list the catalogue of backprop pitfalls",
                       description="List the catalogue of documented backprop and gradient-check "
                                   "bugs that the suite catches and names.")
    p.set_defaults(handler=run_pitfalls)
    e = sub.add_parser("explain", help="teach one pitfall: bug, fix, symptom, live demonstration",
                       description="Explain one pitfall: the buggy line and the fix, the symptom, "
                                   "then a live check on a network where it shows, the diagnosis, "
                                   "and a short training run.")
    e.add_argument("pitfall", metavar="PITFALL_ID", help="an id from `crosscheck pitfalls`")
    e.add_argument("--seed", type=int, default=0, help="seed of the demonstration network")
    e.add_argument("--plot", metavar="FILE", help="write the two loss curves as a PNG to FILE")
    e.set_defaults(handler=run_explain)


def run_pitfalls(args, out=None) -> int:
    out = out or sys.stdout
    width = max(len(k) for k in CATALOGUE)
    print(f"{len(CATALOGUE)} pitfalls (crosscheck explain ID for one):", file=out)
    for pid, p in CATALOGUE.items():
        print(f"  {pid:<{width}}  {_KINDS[p.target]:<18}  {p.title}", file=out)
    from crosscheck.layers.pitfalls import LAYER_PITFALLS

    width = max(len(k) for k in LAYER_PITFALLS)
    print(f"{len(LAYER_PITFALLS)} layer pitfalls (crosscheck verify-layer names them):", file=out)
    for pid, p in LAYER_PITFALLS.items():
        print(f"  {pid:<{width}}  {p.kind:<18}  {p.title}", file=out)
    return 0


def _lookup(pitfall_id: str) -> Pitfall:
    from crosscheck.layers.pitfalls import LAYER_PITFALLS

    if pitfall_id in CATALOGUE:
        return CATALOGUE[pitfall_id]
    close = difflib.get_close_matches(pitfall_id, [*CATALOGUE, *LAYER_PITFALLS], n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see `crosscheck pitfalls`"
    raise UsageError(f"unknown pitfall {pitfall_id!r}{hint}")


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=_WIDTH, initial_indent=indent, subsequent_indent=indent)


def _prepare_plot(path: str | None) -> Path | None:
    if path is None:
        return None
    target = Path(path)
    if not target.parent.exists() or target.is_dir():
        raise UsageError(f"--plot {path}: the directory does not exist or the path is a directory")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install matplotlib") from None
    return target


def _setup(p: Pitfall, oracles: list):
    """(subject fn, subject label, the parties the subject is checked against)."""
    by_name = {o.name: o for o in oracles}
    if p.target == "fd":
        return loss_and_grads, "reference", [by_name["torch"], by_name["tensorflow"], p.fd_oracle()]
    return p.loss_and_grads, "buggy", oracles


def _table(result, accused: str, out, limit: int = 8) -> None:
    """One row per wrong tensor: the accused against the most trusted other party."""
    trusted_first = sorted(result.parties, key=lambda q: trust_rank(q.kind))
    rank = {party.name: i for i, party in enumerate(trusted_first)}
    rows = []
    for v in result.failing_votes():
        diffs = [d for d in v.diffs if accused in (d.a, d.b)]
        if not diffs:
            continue
        d = min((x for x in diffs if not x.ok), key=lambda x: rank[x.b if x.a == accused else x.a],
                default=diffs[0])
        s_val, o_val, other = (d.a_value, d.b_value, d.b) if d.a == accused else \
            (d.b_value, d.a_value, d.a)
        agree = [n for n in v.majority if n != other]
        rows.append((v.tensor, other, format_index(d.worst_index) or "-", s_val, o_val,
                     d.problem or (f"{', '.join(agree)} agree with {other}" if agree else "")))
    if not rows:
        return
    print(f"    {'tensor':<8}{'index':<10}{accused:>14}{'oracle':>14}{'|diff|':>11}  oracle", file=out)
    for tensor, other, idx, s_val, o_val, note in rows[:limit]:
        print(f"    {tensor:<8}{idx:<10}{s_val:>14.6g}{o_val:>14.6g}{abs(s_val - o_val):>11.2e}  {other}"
              + (f" ({note})" if note else ""), file=out)
    if len(rows) > limit:
        print(f"    ... {len(rows) - limit} more wrong tensors", file=out)


def _explain_layer(p, seed: int, out) -> int:
    """A layer bug: the lines, the symptom, and a live verify-layer of its variant."""
    from crosscheck.layers.verify import run_layer

    print(f"{p.id}: {p.title}   (layer {p.kind})", file=out)
    print("", file=out)
    print("  The bug   " + p.buggy_line, file=out)
    print("  The fix   " + p.fixed_line, file=out)
    print("", file=out)
    print("Symptom", file=out)
    print(_wrap(p.symptom + "."), file=out)
    print("", file=out)
    print(f"Live check: the buggy {p.kind} layer through crosscheck verify-layer (seed {seed})",
          file=out)
    result = run_layer(p.kind, p.forward, p.backward, p.id, cases=10, seed=seed)
    print(_wrap(result.conclusion), file=out)
    print(_wrap("Fix the line above and the same check passes: the reference layer "
                "(crosscheck.reference.cnn_layers) does, on every case."), file=out)
    return 0


def run_explain(args, out=None) -> int:
    out = out or sys.stdout
    from crosscheck.diagnosis.diagnose import diagnose
    from crosscheck.diagnosis.training_demo import plot_png, train_both
    from crosscheck.engine.check import check_case
    from crosscheck.layers.pitfalls import LAYER_PITFALLS

    if args.pitfall in LAYER_PITFALLS:
        return _explain_layer(LAYER_PITFALLS[args.pitfall], args.seed, out)
    p = _lookup(args.pitfall)
    plot_path = _prepare_plot(args.plot)
    oracles = load_oracles(("torch", "tensorflow", "fd"))

    print(f"{p.id}: {p.title}", file=out)
    print("", file=out)
    print("  The bug   " + p.buggy_line, file=out)
    print("  The fix   " + p.fixed_line, file=out)
    print("", file=out)
    print("Symptom", file=out)
    print(_wrap(p.symptom[:1].upper() + p.symptom[1:]), file=out)
    print(_wrap(f"Caught by: {', '.join(p.caught_by)}"
                + (" (they outvote the broken finite-difference oracle)" if p.target == "fd" else "")
                + (f". {p.note}" if p.note else "") + "."), file=out)
    print("", file=out)

    # ---- live check ----
    rng = np.random.default_rng([args.seed, 7])
    case = p.demo_case(rng)
    subject_fn, label, parties = _setup(p, oracles)
    result = check_case(case, subject_fn, parties, subject=label)
    accused = "fd" if p.target == "fd" else label
    who = ("the correct reference, checked against torch, tensorflow and the BROKEN finite "
           "differences" if p.target == "fd" else "the buggy code, checked against torch, "
           "tensorflow and finite differences")
    print(f"Live check: {who}", file=out)
    print(f"  network {case.spec.describe()}, batch {case.batch} (seed {args.seed})", file=out)
    print("  (layer widths n_in-...-n_out, one activation per layer, the loss, the L2 strength)",
          file=out)
    verdict = "FAIL" if result.verdict == "fail" else "pass"
    print(f"  verdict {verdict}; blamed: {', '.join(result.blame) or 'nobody'}", file=out)
    if result.error:
        print(_wrap(result.error, "    "), file=out)
    if result.failing_votes():
        print("  One row per wrong tensor: its element furthest outside tolerance, the value "
              f"from {accused} and from the oracle.", file=out)
    _table(result, accused, out)
    print("", file=out)

    def rerun(c):
        return check_case(c, subject_fn, parties, subject=label)

    kwargs = {}
    if p.target == "update":
        kwargs = {"lr": DEFAULT_LR, "rerun_lr": lambda lr: check_case(
            case, grads_from_step(update_order_step, lr), parties, subject=label)}
    suspects = diagnose(result, rerun, **kwargs)
    print("Diagnosis (most likely first)", file=out)
    print(_wrap("The shape of the discrepancy was measured (ratios, which layers are wrong, "
                "what sits above them) and known bugs were replayed on the same network:"),
          file=out)
    for s in suspects[:3]:
        print(f"  {s.score:.2f}  {s.id}: {s.title}", file=out)
        print(_wrap(s.evidence, "        "), file=out)
    print("", file=out)

    # ---- training ----
    curves = train_both(p, np.random.default_rng([args.seed, 8]))
    spec = curves.case.spec
    print(f"Training: two moons, {curves.case.batch} points, {spec.describe()}, "
          f"full-batch SGD lr {curves.lr:g}", file=out)
    ref0, ref1 = curves.reference[0], curves.reference[-1]
    print(f"  correct reference: loss {ref0:.4f} -> {ref1:.4f} in {len(curves.reference) - 1} steps",
          file=out)
    if curves.error:
        print(f"  buggy variant: cannot train on this network ({curves.error})", file=out)
    else:
        b0, b1 = curves.buggy[0], curves.buggy[-1]
        trend = "went down" if b1 < b0 else ("did not go down" if np.isfinite(b1) else "became NaN")
        print(f"  buggy variant:     loss {b0:.4f} -> {b1:.4f} in {len(curves.buggy) - 1} steps "
              f"({trend})", file=out)
        train_case = curves.case
        small = type(train_case)(spec=spec, params=train_case.params, X=train_case.X[:32],
                                 Y=train_case.Y[:32])
        why = p.why_invisible(small)
        if why:
            print(_wrap(f"On this training network the bug does not show ({why}), so the check "
                        "would pass here: that is why the live check above uses a network chosen "
                        "to expose it.", "  "), file=out)
        elif p.target == "fd" and b1 < b0:
            print(_wrap(f"Trained with the broken finite differences as its gradient, the loss "
                        f"still went down from {b0:.4f} to {b1:.4f}: a falling loss does not "
                        "prove a gradient right, and this oracle would blame correct code.", "  "),
                  file=out)
        elif b1 < b0:
            print(_wrap(f"The loss still went down from {b0:.4f} to {b1:.4f} while the gradient "
                        "check fails: a falling loss does not prove the code right.", "  "),
                  file=out)
    if plot_path is not None:
        write_atomic(plot_path, plot_png(curves, f"{p.id}: correct vs buggy"))
        print(f"wrote {plot_path}", file=sys.stderr)
    return 0
