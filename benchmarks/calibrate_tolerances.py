"""Calibrate crosscheck/engine/tolerances.py: how close do correct implementations come to each bound?

Runs the numpy reference against torch, tensorflow, fd and complex-step (through
reports.engine.check_case, so fd gets the same Richardson re-measurement of disputed
coordinates and the same sampled mode on large networks as the gate) on random networks with
depth up to --max-depth, widths up to --max-width and init scale drawn from SCALES (up to 8:
saturated sigmoid/tanh units, logits in the hundreds). Prints, per tolerance kind, the worst
error seen as a fraction of its bound |a - b| / (atol + rtol |b|): below 1 passes; the margin
is 1 / that fraction. The fd pairs in the vote are at most 1 by construction (a coordinate
over the bound is re-measured), so fd is also reported raw, straight from the oracle, with the
worst fraction after re-measurement of the coordinates that needed it.

    python benchmarks/calibrate_tolerances.py --networks 300 --max-depth 8 --max-width 256

With ``--float32`` it calibrates the float32 row instead: the float32 port of a correct
implementation (tests/subjects/float32_port.py: the reference's formulas in single
precision) runs through verify's own path (``adapt(..., dtype="float32")``, judged with the
float32 tolerance) against torch, tensorflow and fd, on networks drawn as a verify campaign
draws them (init scale mostly 1, up to 4; every loss, half_sse and integer labels included):

    python benchmarks/calibrate_tolerances.py --float32 --networks 400 --max-depth 4 --max-width 32

With ``--cnn`` it runs the reference CNN on the networks of ``crosscheck run --architecture
cnn`` (seed --seed) against torch, tensorflow and fd instead (--max-* do not apply):

    python benchmarks/calibrate_tolerances.py --cnn --networks 10000 --seed 2
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np
from crosscheck.oracles import ORACLE_NAMES, get_oracle
from crosscheck.reference import LOSSES, cnn_loss_and_grads, loss_and_grads, random_case

from crosscheck.engine.campaign import CampaignOptions, case_for
from crosscheck.engine.check import FD_SAMPLE_PER_TENSOR, LARGE_NETWORK_PARAMS, check_case
from crosscheck.engine.tolerances import TOLERANCES, SubjectTolerance
from crosscheck.subject.adapters import adapt

SCALES = (0.5, 1.0, 2.0, 4.0, 8.0)
CAMPAIGN_SCALES = (0.5, 1.0, 1.0, 1.0, 2.0, 4.0)  # what a verify campaign draws
FLOAT32_PORT = Path(__file__).resolve().parents[1] / "tests" / "subjects" / "float32_port.py"


def _fraction(d) -> float:
    if d.problem:
        return float("inf")
    if d.n_compared == 0:
        return 0.0
    return abs(d.a_value - d.b_value) / max(d.atol + d.rtol * abs(d.b_value), 1e-300)


def _fd_raw(fd, case, seed, reference=loss_and_grads):
    """fd straight from the oracle (as the gate runs it: sampled on large networks) against the
    reference, per coordinate as a fraction of the fd bound: (worst raw fraction, coordinates
    over the bound, worst fraction of those after Richardson re-measurement)."""
    args = (case.params, case.X, case.Y, case.spec)
    loss, grads = reference(*args)
    if sum(g.size for g in grads.values()) > LARGE_NETWORK_PARAMS:
        r = fd.evaluate(*args, sample=FD_SAMPLE_PER_TENSOR, rng=np.random.default_rng([*seed, 0x5A]))
    else:
        r = fd.evaluate(*args)
    tol = TOLERANCES["fd"]
    raw = after = 0.0
    n_over = 0
    for name, g in grads.items():
        keep = ~r.kinks[name]
        if name in r.unchecked:
            keep &= ~r.unchecked[name]
        bound = tol.atol(np.where(keep, g, 0.0), loss) + tol.rtol * np.abs(g)
        frac = np.where(keep, np.abs(np.where(keep, r.grads[name], 0.0) - g) / bound, 0.0)
        raw = max(raw, float(frac.max()))
        over = frac > 1.0
        if over.any():
            n_over += int(over.sum())
            refined = fd.refine(*args, name, over)
            after = max(after, float((np.abs(refined - g[over]) / bound[over]).max()))
    return raw, n_over, after


def _order(kind: str) -> int:
    return ["fd", "complex-step", "autodiff", "subject"].index(kind)


def calibrate_float32(args) -> None:
    """The float32 port through verify's path: worst |subject - oracle| as a fraction of the
    float32 bound, per oracle, and the count of false alarms."""
    spec = importlib.util.spec_from_file_location("float32_port", FLOAT32_PORT)
    port = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(port)
    subject = adapt(port.loss_and_grads, dtype="float32")
    tolerance = SubjectTolerance(dtype="float32")
    oracles = [get_oracle(n) for n in ("torch", "tensorflow", "fd")]
    worst: dict[str, tuple[float, str]] = {}
    fails = 0
    t0 = time.perf_counter()
    for i in range(args.networks):
        rng = np.random.default_rng([args.seed, i])
        labels = i % 8 == 0  # one network in eight takes integer class labels
        case = random_case(rng, max_depth=args.max_depth, max_width=args.max_width,
                           max_batch=args.max_batch, scale=float(rng.choice(CAMPAIGN_SCALES)),
                           losses=("softmax_cross_entropy",) if labels else LOSSES,
                           targets="labels" if labels else "any")
        with np.errstate(all="ignore"):
            r = check_case(case, subject, oracles, subject="float32", index=i,
                           case_seed=[args.seed, i], tolerance=tolerance)
        fails += r.verdict == "fail"
        for v in r.votes:
            for d in v.diffs:
                if "float32" not in (d.a, d.b):
                    continue
                other = d.b if d.a == "float32" else d.a
                f = _fraction(d)
                if f > worst.get(other, (-1.0, ""))[0]:
                    worst[other] = (f, f"{d.tensor} of case {i} [{case.spec.describe()} "
                                       f"batch={case.batch} scale={case.scale:g}]")
    seconds = time.perf_counter() - t0
    print(f"float32 calibration: {args.networks} networks, depth <= {args.max_depth}, "
          f"width <= {args.max_width}, init scale in {sorted(set(CAMPAIGN_SCALES))}, every "
          f"loss (1 in 8 with integer labels), seed {args.seed}: {fails} false alarm(s); "
          f"{seconds:.0f} s")
    for other in sorted(worst):
        f, where = worst[other]
        print(f"  float32 port vs {other:10s} worst |a-b| = {f:.2e} of the float32 bound "
              f"({1 / f:.0f}x margin): {where}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--networks", type=int, default=300)
    p.add_argument("--max-depth", type=int, default=8)
    p.add_argument("--max-width", type=int, default=256)
    p.add_argument("--max-batch", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--float32", action="store_true",
                   help="calibrate the float32 row with the float32 port instead")
    p.add_argument("--cnn", action="store_true",
                   help="calibrate on the CNN-style networks of run --architecture cnn instead")
    args = p.parse_args()
    if args.float32:
        calibrate_float32(args)
        return
    if args.cnn:
        options = CampaignOptions(architecture="cnn", networks=args.networks, seed=args.seed)
        oracles = [get_oracle(n) for n in ("torch", "tensorflow", "fd")]
        head = f"CNN calibration: {args.networks} networks of run --architecture cnn"
        _calibrate(args, oracles, lambda rng, i: case_for(options, i), cnn_loss_and_grads, head)
        return
    head = (f"calibration: {args.networks} networks, depth <= {args.max_depth}, "
            f"width <= {args.max_width}, init scale in {SCALES}")

    def draw(rng, i):
        return random_case(rng, max_depth=args.max_depth, max_width=args.max_width,
                           max_batch=args.max_batch, scale=float(rng.choice(SCALES)))

    _calibrate(args, [get_oracle(n) for n in ORACLE_NAMES], draw, loss_and_grads, head)


def _calibrate(args, oracles, draw, reference, head) -> None:
    """Network i = draw(Generator([seed, i]), i), the reference and every oracle through the
    gate's check_case; the worst fraction of each bound, printed."""
    kind_of = {o.name: o.kind for o in oracles} | {"reference": "subject"}
    worst: dict[str, tuple[float, str]] = {}
    fails = refined = sampled = 0
    fd = next(o for o in oracles if o.kind == "fd")
    fd_raw = fd_after = 0.0
    fd_over = 0
    fd_where = ""
    t0 = time.perf_counter()
    for i in range(args.networks):
        case = draw(np.random.default_rng([args.seed, i]), i)
        r = check_case(case, reference, oracles, subject="reference", index=i,
                       case_seed=[args.seed, i])
        fails += r.verdict == "fail"
        raw, n_over, after = _fd_raw(fd, case, [args.seed, i], reference)
        fd_over += n_over
        fd_after = max(fd_after, after)
        if raw > fd_raw:
            fd_raw, fd_where = raw, f"case {i} [{case.spec.describe()} batch={case.batch} " \
                                    f"scale={case.scale:g}]"
        refined += r.fd_refined
        sampled += r.fd_mode == "sampled"
        for v in r.votes:
            for d in v.diffs:
                # reference = a subject: "autodiff vs subject" is the reference against torch/tf
                key = " vs ".join(sorted((kind_of[d.a], kind_of[d.b]), key=_order))
                key += " (directional)" if v.tensor.endswith(".u") else ""
                f = _fraction(d)
                if f > worst.get(key, (-1.0, ""))[0]:
                    worst[key] = (f, f"{d.a} vs {d.b} on {d.tensor} of case {i} "
                                     f"[{case.spec.describe()} batch={case.batch} "
                                     f"scale={case.scale:g}]")
    seconds = time.perf_counter() - t0
    print(f"{head}, seed {args.seed}: {fails} false alarm(s), {refined} fd coordinate(s) "
          f"re-measured by Richardson, {sampled} network(s) checked sampled; {seconds:.0f} s")
    for key in sorted(worst):
        f, where = worst[key]
        margin = f"{1 / f:.0f}x margin" if f > 0 else "exact"
        print(f"  {key:32s} worst |a-b| = {f:.2e} of the bound ({margin}): {where}")
    print(f"  fd before Richardson             worst |fd - reference| = {fd_raw:.2e} of the fd "
          f"bound: {fd_where}; {fd_over} coordinate(s) over it, worst after re-measurement "
          f"{fd_after:.2e} of the bound")


if __name__ == "__main__":
    main()
