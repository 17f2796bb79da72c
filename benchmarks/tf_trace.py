"""When tracing pays: the TensorFlow oracle's call on a network shape eagerly, traced (the
trace and its first run), and traced again, each a median over shapes measured in the same
run, and the number of calls of one shape after which tracing has paid for itself.

    python benchmarks/tf_trace.py [--shapes 12] [--repeat 5]

The oracle runs a shape eagerly for its first ``TRACE_AFTER`` calls and traces it on the
next (oracles/tf_oracle.py): a shape seen fewer times never pays for a trace (the diagnosis
and the shrinker re-run one network a few times), one seen often pays at most twice what
tracing at once would have (the rent-or-buy rule). Benchmarks are not part of the pytest
gate; they print.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from crosscheck.oracles import tf_oracle
    from crosscheck.oracles.tf_oracle import TRACE_AFTER, TensorFlowOracle

    from crosscheck.engine.campaign import CampaignOptions, case_for

    oracle = TensorFlowOracle()
    options = CampaignOptions(networks=args.shapes, seed=1)
    cases = [case_for(options, i) for i in range(args.shapes)]
    warm = case_for(CampaignOptions(networks=1, seed=99), 0)
    oracle.evaluate(warm.params, warm.X, warm.Y, warm.spec)  # TF's own first-call warm-up
    eager, trace, traced = [], [], []
    for c in cases:
        def call(c=c):
            return oracle.evaluate(c.params, c.X, c.Y, c.spec)

        # eager: the oracle's own function for this shape, called as the oracle calls it
        saved = tf_oracle.TRACE_AFTER
        tf_oracle.TRACE_AFTER = 10**9
        try:
            eager.append(statistics.median(_timed(call) for _ in range(args.repeat)))
        finally:
            tf_oracle.TRACE_AFTER = saved
        tf_oracle.TRACE_AFTER = 0  # the next call traces this shape
        try:
            trace.append(_timed(call))
        finally:
            tf_oracle.TRACE_AFTER = saved
        traced.append(statistics.median(_timed(call) for _ in range(args.repeat)))
    e, t, r = (statistics.median(x) * 1e3 for x in (eager, trace, traced))
    per_shape = [(tt - rr) / max(ee - rr, 1e-9) for ee, tt, rr in zip(eager, trace, traced, strict=True)]
    print(f"TensorFlow oracle on {args.shapes} networks of run --seed 1 (medians over shapes), "
          f"load {os.getloadavg()[0]:.1f}: eager {e:.1f} ms per call, trace + first run "
          f"{t:.0f} ms, traced {r:.2f} ms per call; a trace pays for itself after "
          f"{statistics.median(per_shape):.1f} calls of its shape (range "
          f"{min(per_shape):.1f}-{max(per_shape):.1f}); the oracle traces on call "
          f"{TRACE_AFTER + 1} of a shape", flush=True)


if __name__ == "__main__":
    main()
