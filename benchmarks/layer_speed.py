"""verify-layer on a conv pair (20 cases) against CS231n's own numerical check of the same
cases, both timed in the same run, for a loop-based pair and a vectorised one.

    python benchmarks/layer_speed.py [--cases 20] [--seed 0] [--no-cli]

The pairs are benchmarks/layer_subjects/conv_loops.py (``conv_forward_naive`` /
``conv_backward_naive``, the four nested loops of CS231n's assignment 2) and
conv_vectorised.py (im2col). For each pair:

- **CS231n**: on each of the cases verify-layer draws (``case_shapes``, the same arrays,
  ``dout`` and conv_param), the pair's forward and backward once, then
  ``eval_numerical_gradient_array`` (benchmarks/bench.py: the course's helper, centred
  differences element by element, h = 1e-5) of the pair's forward for x, w and b, and the
  relative errors, as the notebook does: numpy alone, in this process;
- **verify-layer, API**: ``crosscheck.verify_layer("conv", forward, backward, cases=20)`` in
  this process with torch and TensorFlow already imported and warmed up (one call of 2 cases
  before): the pair imported and called in its worker process (its start included), both
  frameworks' ops and autograd, finite differences of the pair's forward (along 3 random
  directions per tensor; element by element only in a case that fails), and the
  shrink of a failing case (none here: both pairs are right);
- **verify-layer, CLI**: ``crosscheck verify-layer conv FILE:FWD FILE:BWD --cases 20`` end to
  end in a fresh process (its imports of torch and TensorFlow included), against the same
  CS231n time.

Also printed: how many times each calls the pair's forward (counted in this process, on a
separate untimed run), and (``--per-element``) the same check in this process, the pair
called here, with its finite differences taken along directions (the default) and element by
element (the default before it), to show what the directional check saves. Benchmarks are
not part of the pytest gate; they print.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

HERE = Path(__file__).resolve().parent
SUBJECTS = HERE / "layer_subjects"
PAIRS = {  # name -> (file, forward, backward)
    "loops": (SUBJECTS / "conv_loops.py", "conv_forward_naive", "conv_backward_naive"),
    "vectorised": (SUBJECTS / "conv_vectorised.py", "conv_forward_fast", "conv_backward_fast"),
}
EXE = str(Path(sys.executable).with_name("crosscheck"))

sys.path.insert(0, str(HERE))
from bench import _eval_numerical_gradient_array  # noqa: E402 - the course's helper, once


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def _rel_error(x, y):
    """CS231n's rel_error."""
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def cs231n_check(forward, backward, data) -> float:
    """The notebook's check of one case: the pair once, the numerical gradient of its forward
    for x, w and b, the worst relative error."""
    x, w, b = (data.arrays[k].copy() for k in ("x", "w", "b"))
    param, dout = data.extra["param"], data.dout
    _, cache = forward(x, w, b, param)
    dx, dw, db = backward(dout, cache)
    dx_num = _eval_numerical_gradient_array(lambda v: forward(v, w, b, param)[0], x.copy(), dout)
    dw_num = _eval_numerical_gradient_array(lambda v: forward(x, v, b, param)[0], w.copy(), dout)
    db_num = _eval_numerical_gradient_array(lambda v: forward(x, w, v, param)[0], b.copy(), dout)
    return max(_rel_error(dx, dx_num), _rel_error(dw, dw_num), _rel_error(db, db_num))


def _counted(forward):
    calls = [0]

    def counting(*args):
        calls[0] += 1
        return forward(*args)
    return counting, calls


def _before_after(name, forward, backward, args) -> str:
    """The check in this process (no worker), its differences along directions vs element by
    element: the line that shows what the directional default saves."""
    from crosscheck.oracles.tf_layers import tf_layer
    from crosscheck.oracles.torch_layers import torch_layer

    from crosscheck.layers.check import check_layer, in_process
    from crosscheck.layers.directional import PER_ELEMENT

    pair = in_process("conv", forward, backward)

    def per_element(arrays, extra, dout, numerical, forward_only=False):
        return pair(arrays, extra, dout, numerical and PER_ELEMENT, forward_only)

    seconds = {}
    for how, call in (("directions", pair), ("elements", per_element)):
        t0 = time.perf_counter()
        result = check_layer("conv", call, label=name, cases=args.cases, seed=args.seed,
                             oracles={"torch": torch_layer, "tensorflow": tf_layer})
        seconds[how] = time.perf_counter() - t0
        assert result.passed, str(result)
    return (f"verify-layer conv, {name} pair, {args.cases} cases (check_layer in-process, no "
            f"worker): fd of the forward along directions {seconds['directions']:.2f} s vs "
            f"element by element {seconds['elements']:.2f} s: "
            f"{seconds['elements'] / seconds['directions']:.1f}x faster")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-cli", action="store_true", help="skip the end-to-end CLI line")
    parser.add_argument("--per-element", action="store_true",
                        help="also time the in-process check with per-element differences")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    import crosscheck
    from crosscheck.layers.check import case_shapes, check_layer, in_process, prepare

    data = [prepare(s) for s in case_shapes("conv", args.cases, args.seed)]
    forward, backward = (_load(PAIRS["vectorised"][0], n) for n in PAIRS["vectorised"][1:])
    crosscheck.verify_layer("conv", forward, backward, cases=2, seed=args.seed)  # warm-up
    for name, (path, fwd_name, bwd_name) in PAIRS.items():
        forward, backward = _load(path, fwd_name), _load(path, bwd_name)
        t0 = time.perf_counter()
        worst = max(cs231n_check(forward, backward, d) for d in data)
        course = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = crosscheck.verify_layer("conv", forward, backward, cases=args.cases,
                                         seed=args.seed)
        ours = time.perf_counter() - t0
        assert result.result.isolation_off == "", result.result.isolation_off
        # the forward calls, counted on an untimed in-process run of the same check
        counting, calls = _counted(forward)
        check_layer("conv", in_process("conv", counting, backward), label=name,
                    cases=args.cases, seed=args.seed, oracles={})
        theirs, course_calls = _counted(forward)
        for d in data:
            cs231n_check(theirs, backward, d)
        verdict = "pass" if result.passed else "FAIL"
        print(f"verify-layer conv, {name} pair, {args.cases} cases (API in-process, frameworks "
              f"warm, pair in its worker): {ours:.2f} s ({verdict}, {calls[0]} forward calls); "
              f"CS231n eval_numerical_gradient_array of x, w, b on the same cases: "
              f"{course:.2f} s (worst rel error {worst:.1e}, {course_calls[0]} forward calls): "
              f"ratio {ours / course:.2f}x", flush=True)
        if args.per_element:
            print(_before_after(name, forward, backward, args), flush=True)
        if args.no_cli:
            continue
        t0 = time.perf_counter()
        proc = subprocess.run([EXE, "verify-layer", "conv", f"{path}:{fwd_name}",
                               f"{path}:{bwd_name}", "--cases", str(args.cases), "--seed",
                               str(args.seed)], capture_output=True, text=True)
        cli = time.perf_counter() - t0
        print(f"verify-layer conv, {name} pair, {args.cases} cases (CLI end to end, a fresh "
              f"process importing torch and tensorflow): {cli:.2f} s (exit {proc.returncode}) "
              f"vs the CS231n check above {course:.2f} s: ratio {cli / course:.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
