"""Calibrate reports/tolerances.py: how close do correct implementations come to each bound?

Runs the numpy reference against torch, tensorflow, fd and complex-step (through
reports.engine.check_case, so fd gets the same Richardson re-measurement of disputed
coordinates and the same sampled mode on large networks as the gate) on random networks with
depth up to --max-depth, widths up to --max-width and init scale drawn from SCALES (up to 8:
saturated sigmoid/tanh units, logits in the hundreds). Prints, per tolerance kind, the worst
error seen as a fraction of its bound |a - b| / (atol + rtol |b|): below 1 passes; the margin
is 1 / that fraction.

    python benchmarks/calibrate_tolerances.py --networks 300 --max-depth 8 --max-width 256
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from oracles import ORACLE_NAMES, get_oracle
from reference import loss_and_grads, random_case
from reports.engine import check_case

SCALES = (0.5, 1.0, 2.0, 4.0, 8.0)


def _fraction(d) -> float:
    if d.problem:
        return float("inf")
    if d.n_compared == 0:
        return 0.0
    return abs(d.a_value - d.b_value) / max(d.atol + d.rtol * abs(d.b_value), 1e-300)


def _order(kind: str) -> int:
    return ["fd", "complex-step", "autodiff", "subject"].index(kind)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--networks", type=int, default=300)
    p.add_argument("--max-depth", type=int, default=8)
    p.add_argument("--max-width", type=int, default=256)
    p.add_argument("--max-batch", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    oracles = [get_oracle(n) for n in ORACLE_NAMES]
    kind_of = {o.name: o.kind for o in oracles} | {"reference": "subject"}
    worst: dict[str, tuple[float, str]] = {}
    fails = refined = sampled = 0
    t0 = time.perf_counter()
    for i in range(args.networks):
        rng = np.random.default_rng([args.seed, i])
        case = random_case(rng, max_depth=args.max_depth, max_width=args.max_width,
                           max_batch=args.max_batch, scale=float(rng.choice(SCALES)))
        r = check_case(case, loss_and_grads, oracles, subject="reference", index=i,
                       case_seed=[args.seed, i])
        fails += r.verdict == "fail"
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
    print(f"calibration: {args.networks} networks, depth <= {args.max_depth}, "
          f"width <= {args.max_width}, init scale in {SCALES}, seed {args.seed}: "
          f"{fails} false alarm(s), {refined} fd coordinate(s) re-measured by Richardson, "
          f"{sampled} network(s) checked sampled; {seconds:.0f} s")
    for key in sorted(worst):
        f, where = worst[key]
        margin = f"{1 / f:.0f}x margin" if f > 0 else "exact"
        print(f"  {key:32s} worst |a-b| = {f:.2e} of the bound ({margin}): {where}")


if __name__ == "__main__":
    main()
