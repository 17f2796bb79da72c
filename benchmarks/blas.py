"""numpy's BLAS threads and the shape of fd's products, each figure a ratio measured in the
same run (interleaved, median of ``--repeat``).

    python benchmarks/blas.py [--repeat 7] [--networks 100]

1. The product fd's forward makes on a chunk of P perturbations, ``(P, batch, n) @ (n, m)``,
   as numpy's stacked 3-D matmul and as one 2-D matmul ``(P * batch, n) @ (n, m)``, with
   numpy's BLAS at its default threads and pinned to one (threadpoolctl), on the shapes of
   a default ``crosscheck run`` network, a deep narrow one and the course's 784-256-256-10.
2. The fd oracle on the networks of ``crosscheck run --seed 1`` (every coordinate), and 3.
   on one 784-256-256-10 network, with numpy's BLAS at its default threads or pinned to one
   by the oracle, its products stacked (3-D) or as one 2-D matmul: the oracle now pins and
   multiplies in 2-D.

The load average is printed with each line: on a shared machine the unpinned figures move
with the other work, which is the point of pinning. Benchmarks are not part of the pytest
gate; they print.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

SHAPES = {  # name: (P perturbations, batch, n, m)
    "a default run network (32 wide, batch 16)": (128, 16, 32, 32),
    "a deep narrow network (8 wide, batch 8)": (1024, 8, 8, 8),
    "784-256-256-10, a hidden layer (batch 32)": (8, 32, 256, 256),
}


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _blas_threads() -> int:
    return max((lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"),
               default=1)


def line_products(repeat: int) -> None:
    rng = np.random.default_rng(0)
    for name, (p, batch, n, m) in SHAPES.items():
        a = rng.normal(size=(p, batch, n))
        w = rng.normal(size=(n, m))
        # same numbers either way: the 2-D product is the 3-D one's rows, one after another
        assert np.array_equal(a @ w, (a.reshape(-1, n) @ w).reshape(p, batch, m))
        calls = 20

        def stacked(a=a, w=w, calls=calls):
            for _ in range(calls):
                a @ w

        def flat(a=a, w=w, calls=calls, shape=(p, batch, m)):
            for _ in range(calls):
                (a.reshape(-1, a.shape[-1]) @ w).reshape(shape)

        threads = _blas_threads()
        t = {}
        for _ in range(2):  # interleaved: the load moves under both alike
            t["3-D", threads] = _median(stacked, repeat)
            t["2-D", threads] = _median(flat, repeat)
            with threadpool_limits(1, user_api="blas"):
                t["3-D", 1] = _median(stacked, repeat)
                t["2-D", 1] = _median(flat, repeat)
        ms = {k: v / calls * 1e3 for k, v in t.items()}
        print(f"1. {name}, ({p}, {batch}, {n}) @ ({n}, {m}), load {os.getloadavg()[0]:.1f}: "
              f"{threads} BLAS thread(s): 3-D {ms['3-D', threads]:.3f} ms, "
              f"2-D {ms['2-D', threads]:.3f} ms; pinned to 1: 3-D {ms['3-D', 1]:.3f} ms, "
              f"2-D {ms['2-D', 1]:.3f} ms; pinned 2-D vs unpinned 3-D "
              f"{ms['3-D', threads] / ms['2-D', 1]:.1f}x faster, pinned 2-D vs pinned 3-D "
              f"{ms['3-D', 1] / ms['2-D', 1]:.1f}x", flush=True)


def _fd_variants(cases, repeat: int) -> dict:
    """Seconds of fd's every-coordinate evaluate over ``cases``: pinned or not, 2-D or 3-D
    products, interleaved twice (the load moves under all four alike)."""
    from crosscheck.oracles import fd as fd_module
    from crosscheck.oracles.fd import FiniteDifferenceOracle

    oracle = FiniteDifferenceOracle()
    threads = _blas_threads()
    flat = fd_module.rows_matmul

    def campaign():
        for c in cases:
            oracle.evaluate(c.params, c.X, c.Y, c.spec)

    def stacked(a, w):
        return a @ w

    def timed(pinned: bool, product) -> float:
        # a thread count set in the environment is left alone by the oracle: unpinned
        if not pinned:
            os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
        fd_module.rows_matmul = product
        try:
            return _median(campaign, repeat)
        finally:
            fd_module.rows_matmul = flat
            os.environ.pop("OPENBLAS_NUM_THREADS", None)

    campaign()  # warm-up
    t = {}
    for _ in range(2):
        for pinned in (True, False):
            for name, product in (("2-D", flat), ("3-D", stacked)):
                t[pinned, name] = timed(pinned, product)
    return t


def _fd_line(label: str, t: dict) -> str:
    return (f"{label}, load {os.getloadavg()[0]:.1f}: BLAS at {_blas_threads()} thread(s): 3-D "
            f"products {t[False, '3-D']:.2f} s, 2-D {t[False, '2-D']:.2f} s; pinned to 1: 3-D "
            f"{t[True, '3-D']:.2f} s, 2-D (the oracle now) {t[True, '2-D']:.2f} s: "
            f"{t[False, '3-D'] / t[True, '2-D']:.2f}x faster than before (unpinned 3-D), pinned "
            f"2-D vs pinned 3-D {t[True, '3-D'] / t[True, '2-D']:.2f}x")


def line_fd(networks: int, repeat: int) -> None:
    from crosscheck.engine.campaign import CampaignOptions, case_for

    options = CampaignOptions(networks=networks, seed=1)
    cases = [case_for(options, i) for i in range(networks)]
    print(_fd_line(f"2. fd oracle, every coordinate of the {networks} networks of run --seed 1",
                   _fd_variants(cases, repeat)), flush=True)


def line_fd_large() -> None:
    from crosscheck.reference import NetworkSpec, init_params
    from crosscheck.reference.sampling import Case, random_batch

    spec = NetworkSpec(sizes=(784, 256, 256, 10), activations=("relu", "tanh", "identity"),
                       loss="softmax_cross_entropy")
    rng = np.random.default_rng(0)
    params = init_params(spec, rng)
    X, Y = random_batch(spec, 2, rng)
    case = Case(spec=spec, params=params, X=X, Y=Y)
    print(_fd_line("3. fd oracle, every coordinate of 784-256-256-10 (batch 2, as "
                   "tests/test_fd_scale.py)", _fd_variants([case], 1)), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--networks", type=int, default=100)
    ap.add_argument("--only", default="1,2,3")
    args = ap.parse_args()
    only = set(args.only.split(","))
    if "1" in only:
        line_products(args.repeat)
    if "2" in only:
        line_fd(args.networks, max(1, args.repeat // 3))
    if "3" in only:
        line_fd_large()


if __name__ == "__main__":
    main()
