"""Speed of the gate, each figure a ratio against its anchor measured in the same run.

    python benchmarks/bench.py                   # all four lines (gradcheck alone: ~15 min)
    python benchmarks/bench.py --only 2,3        # some lines
    python benchmarks/bench.py --only 5          # isolation: worker vs in-process (~1 min)
    python benchmarks/bench.py --only 6          # a conv layer check vs CS231n's numerical gradient
    python benchmarks/bench.py --only 7          # a CNN campaign; CNN fd vs a per-element loop
    python benchmarks/bench.py --gradcheck-full  # also time all of gradcheck on 784-256-256-10

1. full finite differences vs torch.autograd.gradcheck (full mode), 784-64-10 and
   784-256-256-10, float64, batch 32, with the worst-case agreement of both;
2. fd's directional mode vs gradcheck(fast_mode=True);
3. the reference's loss_and_grads vs torch autograd, 784-256-256-10, batch 256, float64;
4. networks per second of the gate with all oracles, serial and under pytest-xdist, and where
   the time goes (framework imports, TensorFlow tracing, each oracle);
5. ``verify`` throughput on docs/examples/my_backprop.py (its bug fixed, so every network is
   compared and none is diagnosed) with the function in its worker process vs in-process,
   and the cost of one call through the worker.
6. one layer check of a conv with all its oracles vs the CS231n per-element numerical gradient;
7. ``run --architecture cnn``: networks per second with all oracles and where the time goes,
   and the CNN fd oracle (every coordinate) vs a naive per-element central-difference loop
   over the reference's loss, on the same networks, with their worst disagreement.

gradcheck gets the fd oracle's own tolerance (rtol 1e-5, atol from crosscheck/engine/tolerances.py), so
"passed" means it agreed with torch's analytical gradient as tightly as fd must agree with
the reference. Benchmarks are not part of the pytest gate; they print.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BATCH = 32


def _case(sizes, activations, batch, seed=0):
    from crosscheck.reference import NetworkSpec, init_params
    from crosscheck.reference.sampling import Case, random_batch

    spec = NetworkSpec(sizes=sizes, activations=activations, loss="softmax_cross_entropy",
                       l2=0.1)
    rng = np.random.default_rng(seed)
    params = init_params(spec, rng)
    X, Y = random_batch(spec, batch, rng)
    return Case(spec=spec, params=params, X=X, Y=Y)


def _torch_loss_of_flat(case, wrt=None):
    """theta (the parameters named in ``wrt``, default all, flattened in param_names order)
    -> scalar loss, float64; the other parameters are constants."""
    import torch
    import torch.nn.functional as F

    spec = case.spec
    x = torch.tensor(case.X)
    y = torch.tensor(case.Y)
    names = spec.param_names()
    wrt = names if wrt is None else wrt
    shapes = {n: case.params[n].shape for n in wrt}
    fixed = {n: torch.tensor(case.params[n]) for n in names if n not in wrt}
    acts = {"identity": lambda t: t, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
            "relu": F.relu}

    def loss(theta):
        by_name, start = dict(fixed), 0
        for name, shape in shapes.items():
            n = int(np.prod(shape))
            by_name[name] = theta[start:start + n].view(shape)
            start += n
        tensors = [by_name[n] for n in names]
        a = x
        for layer in range(spec.depth):
            a = acts[spec.activations[layer]](a @ tensors[2 * layer] + tensors[2 * layer + 1])
        value = F.cross_entropy(a, y)
        sq = sum((tensors[2 * layer] ** 2).sum() for layer in range(spec.depth))
        return value + spec.l2 / (2.0 * x.shape[0]) * sq

    theta = torch.tensor(np.concatenate([case.params[n].ravel() for n in wrt]),
                         requires_grad=True)
    return loss, theta


def _fd_tolerance(case):
    from crosscheck.reference import loss_and_grads

    from crosscheck.engine.tolerances import TOLERANCES

    loss, grads = loss_and_grads(case.params, case.X, case.Y, case.spec)
    tol = TOLERANCES["fd"]
    g = np.concatenate([v.ravel() for v in grads.values()])
    return loss, grads, tol.rtol, tol.atol(g, loss)


def _worst_fraction(grads_a, grads_b, loss, kind="fd", exclude=None):
    """max over tensors of |a - b| / (atol + rtol |b|), the tolerance table's own bound."""
    from crosscheck.engine.compare import compare_tensor
    from crosscheck.engine.tolerances import TOLERANCES

    worst = 0.0
    for name, b in grads_b.items():
        ex = None if exclude is None else exclude.get(name)
        d = compare_tensor(name, grads_a[name], b, "a", "b", TOLERANCES[kind], loss, ex)
        worst = max(worst, abs(d.a_value - d.b_value) / (d.atol + d.rtol * abs(d.b_value)))
    return worst


def _gradcheck(case, fast: bool, wrt=None):
    from torch.autograd import gradcheck

    fn, theta = _torch_loss_of_flat(case, wrt)
    _, _, rtol, atol = _fd_tolerance(case)
    t0 = time.perf_counter()
    ok = gradcheck(fn, (theta,), eps=1e-6, atol=atol, rtol=rtol, fast_mode=fast,
                   raise_exception=False)
    return time.perf_counter() - t0, ok, int(theta.numel())


def line_full_fd(sizes, activations, run_gradcheck="full") -> None:
    from crosscheck.oracles import get_oracle

    case = _case(sizes, activations, BATCH)
    fd = get_oracle("fd")
    loss, grads, _, _ = _fd_tolerance(case)
    t0 = time.perf_counter()
    r = fd.evaluate(case.params, case.X, case.Y, case.spec)
    t_fd = time.perf_counter() - t0
    frac = _worst_fraction(r.grads, grads, loss, exclude=r.kinks)
    n = sum(v.size for v in case.params.values())
    label = "-".join(map(str, sizes))
    if run_gradcheck == "partial":
        # gradcheck's full mode costs two forwards of the whole network per coordinate, so it
        # is timed on the coordinates of every tensor but W1 and W2 and scaled to all of them
        # (an extrapolation, and says so); --gradcheck-full times all of them (an hour here)
        wrt = [m for m in case.spec.param_names() if m not in ("W1", "W2")]
        t_part, ok, n_part = _gradcheck(case, fast=False, wrt=wrt)
        t_gc = t_part * n / n_part
        print(f"1. full fd vs gradcheck full, {label} ({n} params, batch {BATCH}, float64): "
              f"fd {t_fd:.2f} s, gradcheck {t_part:.1f} s for {n_part} of the coordinates "
              f"(~{t_gc:.0f} s for all, extrapolated): fd is ~{t_gc / t_fd:.0f}x faster; "
              f"worst |fd - reference| = {frac:.2g} of the fd bound, gradcheck at the same "
              f"bound: {'passed' if ok else 'FAILED'}", flush=True)
        return
    t_gc, ok, _ = _gradcheck(case, fast=False)
    print(f"1. full fd vs gradcheck full, {label} ({n} params, batch {BATCH}, float64): "
          f"fd {t_fd:.2f} s, gradcheck {t_gc:.1f} s: fd is {t_gc / t_fd:.0f}x faster; "
          f"worst |fd - reference| = {frac:.2g} of the fd bound, gradcheck at the same bound: "
          f"{'passed' if ok else 'FAILED'}", flush=True)


def line_directional() -> None:
    from crosscheck.oracles import get_oracle

    case = _case((784, 64, 10), ("tanh", "identity"), BATCH)
    fd = get_oracle("fd")
    _, grads, _, _ = _fd_tolerance(case)
    t0 = time.perf_counter()
    d = fd.directional(case.params, case.X, case.Y, case.spec, np.random.default_rng(0))
    t_dir = time.perf_counter() - t0
    worst = max(abs(d.derivatives[n] - float(np.sum(grads[n] * d.directions[n])))
                / max(np.linalg.norm(grads[n]), 1e-300) for n in grads)
    t_gc, ok, _ = _gradcheck(case, fast=True)
    print(f"2. directional fd vs gradcheck fast_mode, 784-64-10 (batch {BATCH}): "
          f"fd {t_dir * 1e3:.1f} ms (one direction per tensor), gradcheck {t_gc * 1e3:.1f} ms "
          f"(one direction overall): ratio {t_gc / t_dir:.1f}x; worst |D_u - <g, u>| / ||g|| = "
          f"{worst:.1e}, gradcheck fast at the fd bound: {'passed' if ok else 'FAILED'}",
          flush=True)


def _median_time(fn, repeat=15) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def line_reference_vs_torch() -> None:
    import torch
    import torch.nn.functional as F
    from crosscheck.oracles import get_oracle
    from crosscheck.reference import loss_and_grads

    case = _case((784, 256, 256, 10), ("relu", "relu", "identity"), 256)
    names = case.spec.param_names()
    leaves = [torch.tensor(case.params[n], requires_grad=True) for n in names]
    x, y = torch.tensor(case.X), torch.tensor(case.Y)

    def torch_autograd():
        a = x
        for layer in range(3):
            z = a @ leaves[2 * layer] + leaves[2 * layer + 1]
            a = F.relu(z) if layer < 2 else z
        loss = F.cross_entropy(a, y) + case.spec.l2 / (2.0 * 256) * sum(
            (w ** 2).sum() for w in leaves[::2])
        return torch.autograd.grad(loss, leaves)

    t_ref = _median_time(lambda: loss_and_grads(case.params, case.X, case.Y, case.spec))
    t_torch = _median_time(torch_autograd)
    oracle = get_oracle("torch")
    t_oracle = _median_time(lambda: oracle.evaluate(case.params, case.X, case.Y, case.spec))
    print(f"3. reference loss_and_grads vs torch autograd, 784-256-256-10 relu, batch 256, "
          f"float64 (median of 15): reference {t_ref * 1e3:.1f} ms, torch {t_torch * 1e3:.1f} ms "
          f"(forward+backward on ready tensors), torch oracle with numpy copies "
          f"{t_oracle * 1e3:.1f} ms: reference/torch = {t_ref / t_torch:.2f} "
          f"({'no slower' if t_ref <= t_torch else 'slower'})", flush=True)


def _import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def line_throughput(networks: int) -> None:
    from crosscheck.oracles import ORACLE_NAMES, get_oracle
    from crosscheck.reference import loss_and_grads

    from crosscheck.engine.campaign import CampaignOptions, run_campaign

    imports = {m: _import_seconds(m) for m in ("reports.cli", "torch", "tensorflow")}
    oracles = [get_oracle(n) for n in ORACLE_NAMES]
    tf = next(o for o in oracles if o.name == "tensorflow")
    # tracing cost: the same shape three times (eager, trace + run, traced run), the oracle
    # told to trace on the second call (it waits longer: benchmarks/tf_trace.py)
    from crosscheck.oracles import tf_oracle

    case = _case((16, 32, 4), ("tanh", "identity"), 8)
    calls = []
    saved, tf_oracle.TRACE_AFTER = tf_oracle.TRACE_AFTER, 1
    try:
        for _ in range(3):
            t0 = time.perf_counter()
            tf.evaluate(case.params, case.X, case.Y, case.spec)
            calls.append(time.perf_counter() - t0)
    finally:
        tf_oracle.TRACE_AFTER = saved
    traces0 = tf.traces
    # serial: the soak test's networks (two halves, seeds 20261123 and 20261124), in-process
    per_oracle: dict[str, float] = {}
    shapes = set()
    t0 = time.perf_counter()
    for half in range(2):
        options = CampaignOptions(networks=networks // 2, seed=20261123 + half)
        result = run_campaign(loss_and_grads, "reference", oracles, options)
        for c in result.cases:
            shapes.add((c.spec.sizes, c.spec.activations, c.spec.loss))
            for k, v in c.seconds.items():
                per_oracle[k] = per_oracle.get(k, 0.0) + v
        assert result.verdict == "pass"
    serial = time.perf_counter() - t0
    traces = tf.traces - traces0
    # pytest-xdist: the same networks as tests/test_soak.py on 2 workers, wall clock
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "-p",
                           "no:cacheprovider", "tests/test_soak.py"], cwd=ROOT,
                          capture_output=True, text=True)
    xdist = time.perf_counter() - t0
    xdist_ok = proc.returncode == 0
    rate_serial, rate_xdist = networks / serial, networks / xdist
    where = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(per_oracle.items(), key=lambda kv: -kv[1]))
    print(f"4. gate throughput, all oracles, {networks} networks: serial {rate_serial:.0f} "
          f"networks/s ({serial:.1f} s, imports excluded), pytest-xdist -n 2 "
          f"{rate_xdist:.0f} networks/s ({xdist:.1f} s wall incl. startup, "
          f"{'passed' if xdist_ok else 'FAILED'}): ratio {rate_xdist / rate_serial:.2f}x",
          flush=True)
    print(f"   imports: reports.cli {imports['reports.cli']:.2f} s, torch {imports['torch']:.1f} s, "
          f"tensorflow {imports['tensorflow']:.1f} s; oracles: {where}")
    print(f"   tensorflow tracing: eager {calls[0] * 1e3:.1f} ms, trace + run "
          f"{calls[1] * 1e3:.1f} ms, traced {calls[2] * 1e3:.2f} ms per call; {traces} trace(s) "
          f"for {networks} networks of {len(shapes)} distinct shapes (no retrace per network)")


def line_isolation(networks: int) -> None:
    import tempfile

    from crosscheck.api import run_verify
    from crosscheck.engine.campaign import CampaignOptions, case_for
    from crosscheck.subject.adapters import adapt
    from crosscheck.subject.loading import load_function
    from crosscheck.subject.worker import SubjectWorker

    source = (ROOT / "docs" / "examples" / "my_backprop.py").read_text()
    fixed = source.replace('grads[f"b{l}"] = dz.mean(axis=0)', 'grads[f"b{l}"] = dz.sum(axis=0)')
    assert fixed != source
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "my_backprop_fixed.py"
        path.write_text(fixed)
        target = f"{path}:loss_and_grads"
        fn, label = load_function(target)
        options = CampaignOptions(networks=networks, seed=1, losses=("mse",))
        common = dict(layout="xw", mode="grads", lr=0.1, timeout=10.0, options=options,
                      oracles=("torch", "tensorflow", "fd"), shrink=5)

        def timed(subject) -> float:
            t0 = time.perf_counter()
            result = run_verify(subject, label, **common)
            assert result.passed, str(result)
            return time.perf_counter() - t0

        timed(fn)  # warm-up: framework imports and TensorFlow's traces for these shapes
        inproc, isolated = [], []
        for _ in range(3):  # interleaved, so machine load hits both alike
            inproc.append(timed(fn))
            isolated.append(timed(target))
        t_in, t_iso = statistics.median(inproc), statistics.median(isolated)
        # one call of the function alone: through the worker vs in this process
        case = case_for(options, 0)
        direct = adapt(fn)
        with SubjectWorker(target) as worker:
            worker.load()
            t_call_iso = _median_time(lambda: worker(case.params, case.X, case.Y, case.spec), 200)
        t_call_in = _median_time(lambda: direct(case.params, case.X, case.Y, case.spec), 200)
    print(f"5. verify throughput, my_backprop.py fixed, {networks} networks (mse, torch, "
          f"tensorflow, fd; median of 3, wall clock incl. the worker's start and import): "
          f"in-process {networks / t_in:.0f} networks/s ({t_in:.2f} s), isolated "
          f"{networks / t_iso:.0f} networks/s ({t_iso:.2f} s): isolated keeps "
          f"{t_in / t_iso:.0%} of in-process; one call {t_call_in * 1e6:.0f} us in-process, "
          f"{t_call_iso * 1e6:.0f} us through the worker ({case.spec.describe()}, "
          f"batch {case.batch})", flush=True)


def _eval_numerical_gradient_array(f, x, df, h=1e-5):
    """The CS231n helper, as the course ships it: one element at a time, forward twice."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = f(x).copy()
        x[ix] = old - h
        neg = f(x).copy()
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def line_layer_conv() -> None:
    """6. One layer check of a 4x3x16x16 conv, 8 filters 3x3 (pad 1), with all its oracles
    (torch, tensorflow, finite differences of the forward: element by element for w and b,
    along 3 directions for the 3,072-element x), against the CS231n per-element numerical
    gradient of x, w and b on the same case; the frameworks warmed up first."""
    from crosscheck.oracles.tf_layers import tf_layer
    from crosscheck.oracles.torch_layers import torch_layer
    from crosscheck.reference import cnn_layers as R

    from crosscheck.layers.cases import Shape, build
    from crosscheck.layers.check import check_layer, in_process

    fixed = [Shape("conv", {"n": 4, "c": 3, "h": 16, "w": 16, "f": 8, "hh": 3, "ww": 3,
                            "stride": 1, "pad": 1}, values=0)]
    arrays, extra = build(fixed[0])
    x, w, b, param = arrays["x"], arrays["w"], arrays["b"], extra["param"]
    rng = np.random.default_rng(1)

    oracles = {"torch": torch_layer, "tensorflow": tf_layer}
    pair = in_process("conv", R.conv_forward, R.conv_backward)
    check_layer("conv", pair, label="warm-up", cases=1, seed=0, oracles=oracles, shapes=fixed)
    t0 = time.perf_counter()
    result = check_layer("conv", pair, label="reference", cases=1, seed=0, oracles=oracles,
                         shapes=fixed)
    ours = time.perf_counter() - t0
    out, _ = R.conv_forward(x, w, b, param)
    dout = rng.normal(size=out.shape)
    t0 = time.perf_counter()
    _eval_numerical_gradient_array(lambda v: R.conv_forward(v, w, b, param)[0], x.copy(), dout)
    _eval_numerical_gradient_array(lambda v: R.conv_forward(x, v, b, param)[0], w.copy(), dout)
    _eval_numerical_gradient_array(lambda v: R.conv_forward(x, w, v, param)[0], b.copy(), dout)
    loop = time.perf_counter() - t0
    verdict = "pass" if result.passed else "FAIL"
    print(f"6. layer check, conv 4x3x16x16, 8 filters 3x3, pad 1 (one case: torch, tensorflow, "
          f"fd of the forward): {ours:.2f} s ({verdict}); the CS231n per-element numerical "
          f"gradient of x, w, b alone: {loop:.2f} s: the whole check is {loop / ours:.1f}x "
          f"faster", flush=True)


def _naive_cnn_fd(case, h=1e-5):
    """The per-element loop a course writes: for each coordinate, a copy of its tensor moved
    by +-h and the whole forward and loss twice (the reference's forward and losses)."""
    from crosscheck.reference import cnn_layers as R
    from crosscheck.reference.cnn_network import cnn_forward

    spec, X, Y = case.spec, case.X, case.Y
    loss_layer = R.softmax_loss if spec.loss == "softmax_cross_entropy" else R.svm_loss

    def loss(params):
        scores, _ = cnn_forward(params, X, spec)
        penalty = sum(float(np.sum(params[w] ** 2)) for w in spec.weight_names())
        return loss_layer(scores, Y)[0] + spec.l2 / (2.0 * X.shape[0]) * penalty

    grads = {}
    for name, value in case.params.items():
        g = np.zeros(value.size)
        for k in range(value.size):
            moved = value.copy().ravel()
            moved[k] += h
            plus = loss({**case.params, name: moved.reshape(value.shape)})
            moved[k] -= 2 * h
            minus = loss({**case.params, name: moved.reshape(value.shape)})
            g[k] = (plus - minus) / (2 * h)
        grads[name] = g.reshape(value.shape)
    return grads


def line_cnn(networks: int) -> None:
    """7. A CNN campaign as `crosscheck run --architecture cnn` runs it (torch, tensorflow,
    fd; frameworks warmed up first), then fd alone against the naive per-element loop on the
    same networks."""
    from crosscheck.oracles import get_oracle
    from crosscheck.reference import cnn_loss_and_grads

    from crosscheck.engine.campaign import CampaignOptions, case_for, run_campaign

    oracles = [get_oracle(n) for n in ("torch", "tensorflow", "fd")]
    options = CampaignOptions(architecture="cnn", networks=networks, seed=0)
    run_campaign(cnn_loss_and_grads, "reference", oracles, CampaignOptions(architecture="cnn",
                                                                           networks=3, seed=9))
    t0 = time.perf_counter()
    result = run_campaign(cnn_loss_and_grads, "reference", oracles, options)
    wall = time.perf_counter() - t0
    where: dict[str, float] = {}
    for c in result.cases:
        for k, v in c.seconds.items():
            where[k] = where.get(k, 0.0) + v
    cases = [case_for(options, i) for i in range(networks)]
    fd = oracles[-1]
    t0 = time.perf_counter()
    ours = [fd.evaluate(c.params, c.X, c.Y, c.spec) for c in cases]
    t_fd = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive = [_naive_cnn_fd(c) for c in cases]
    t_naive = time.perf_counter() - t0
    # |fd - naive| as a fraction of the fd row's bound, fd's kinks left out
    worst = max(_worst_fraction(r.grads, g, r.loss, exclude=r.kinks)
                for r, g in zip(ours, naive, strict=True))
    params = sum(int(v.size) for c in cases for v in c.params.values())
    split = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(where.items(), key=lambda kv: -kv[1]))
    verdict = "passed" if result.verdict == "pass" else "FAILED"
    print(f"7. CNN campaign, {networks} networks (torch, tensorflow, fd; {params / networks:.0f} "
          f"parameters each on average): {networks / wall:.0f} networks/s ({wall:.1f} s, "
          f"{verdict}; {split}); fd every coordinate {t_fd / networks * 1e3:.1f} ms per network "
          f"vs a naive per-element loop {t_naive / networks * 1e3:.0f} ms: fd is "
          f"{t_naive / t_fd:.0f}x faster; worst |fd - naive| = {worst:.2g} of the fd bound",
          flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description="Ratios of the gate's speed against its anchors.")
    p.add_argument("--gradcheck-full", action="store_true",
                   help="time gradcheck on all 270k coordinates of 784-256-256-10 (about an "
                        "hour on 2 cores) instead of extrapolating from its last layers")
    p.add_argument("--networks", type=int, default=1000, help="networks for line 4")
    p.add_argument("--only", default="1a,1b,2,3,4,5,6,7",
                   help="comma list of the lines to run: 1a (784-64-10), 1b (784-256-256-10), "
                        "2, 3, 4, 5, 6, 7 (default: all)")
    p.add_argument("--cnn-networks", type=int, default=100, help="networks for line 7")
    p.add_argument("--verify-networks", type=int, default=200, help="networks for line 5")
    args = p.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    print(f"bench {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} cores, python {sys.version.split()[0]}, numpy {np.__version__}",
          flush=True)
    lines = {part.strip() for part in args.only.split(",")}
    if "1a" in lines:
        line_full_fd((784, 64, 10), ("tanh", "identity"))
    if "1b" in lines:
        line_full_fd((784, 256, 256, 10), ("tanh", "tanh", "identity"),
                     run_gradcheck="full" if args.gradcheck_full else "partial")
    if "2" in lines:
        line_directional()
    if "3" in lines:
        line_reference_vs_torch()
    if "4" in lines:
        line_throughput(args.networks)
    if "5" in lines:
        line_isolation(args.verify_networks)
    if "6" in lines:
        line_layer_conv()
    if "7" in lines:
        line_cnn(args.cnn_networks)


if __name__ == "__main__":
    main()
