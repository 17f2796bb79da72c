"""Check every truth in MANIFEST.json against the reference snapshot.

For each subject, build ~8 random networks that honour its options (plus, where the options
allow, a relu "tie" network with zero biases and an all-zero input row, and "large logit"
networks whose last layer is scaled by 1000), run the subject and the reference on the same
inputs, and compare the loss and every parameter gradient (update-mode subjects: the gradient
is (before - after) / lr).

* verdict "pass": must match everywhere (and never mutate its arguments);
* verdict "fail": must differ on at least one network, only on the tensors its truth allows
  (EXPECT below), and, for compound subjects, each listed bug must be witnessed separately
  (WITNESSES below).

Prints one line per subject; exits non-zero if any truth is contradicted.

Usage: python check_truths.py [--seed N] [--verbose] [substring ...]
"""
from __future__ import annotations

import copy
import fnmatch
import importlib.util
import json
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
args = sys.argv[1:]
VERBOSE = "--verbose" in args
SEED = 20240601
if "--seed" in args:
    SEED = int(args[args.index("--seed") + 1])
    args = [a for i, a in enumerate(args) if a != "--seed" and (i == 0 or args[i - 1] != "--seed")]
FILTERS = [a for a in args if not a.startswith("--")]

from crosscheck.reference import NetworkSpec, init_params  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from buggy_lines import entry_line_problems  # noqa: E402
from crosscheck.reference import loss_and_grads as ref_loss_and_grads  # noqa: E402

ALL_ACTS = ("identity", "sigmoid", "tanh", "relu")
ALL_LOSSES = ("mse", "softmax_cross_entropy", "sigmoid_bce")
LOGIT_LOSSES = ("softmax_cross_entropy", "sigmoid_bce")
LR = 0.1
RTOL_GRADS = 1e-9
RTOL_UPDATE = 1e-6

# Tensors each buggy subject is allowed to get wrong (fnmatch patterns over loss/W*/b*).
EXPECT = {
    "tutorial_nonlin_deriv": ["W*", "b*"],
    "cs231n_modular_layers": ["W*", "b*"],
    "dict_cache_vectorised": ["b*"],
    "dlspec_column_caches": ["b*"],
    "forward_backward_pass_funcs": ["W*", "b*"],
    "layer_dict_list": ["W*"],
    "two_layer_tanh_sgd": ["W1", "b1"],
    "one_hidden_sigmoid_net": ["W2"],
    "activation_lookup_table": ["W*", "b*"],
    "torchlike_sequential": ["W*", "b*"],
    "cs231n_helpers_relu_fn": ["W*", "b*"],
    "layer_classes_losslayer": ["W*", "b*"],
    "two_layer_line_by_line": ["W1"],
    "net_class_small": ["loss", "W*", "b*"],
    "graph_nodes": ["W*", "b*"],
    "rowmajor_compute_cost": ["loss"],
    "cs231n_softmax_head": ["loss", "W*", "b*"],
    "nielsen_update_mini_batch": ["b*"],
    "ng_helper_functions": ["loss"],
    "cs231n_helpers_update": ["b*"],
    "three_layer_columns_n": ["W2"],
    "nielsen_cost_class": ["loss", "W*", "b*"],
    "sgd_step_rows": ["W1"],
    "course_unrolled_cost": ["loss", "b*"],
    "functional_library": ["loss", "W*", "b*"],
    "dlfs_multilayer_extend": ["loss", "W*", "b*"],
    "cs231n_helpers_grads": ["W*", "b*"],
    "course_theta_gd_step": ["W*"],
    "per_example_columns": ["W*", "b*"],
    "course_theta_dict": ["W*"],
    "per_example_rows": ["loss", "W*", "b*"],
    "three_layer_by_hand": ["W1", "b1", "W2", "b2"],
    "vectorised_small_helpers": ["W*", "b*"],
    "nielsen_multi_activation": ["loss", "W*", "b*"],
    "cs231n_two_layer_b": ["loss", "b1", "b2"],
    "dlfs_layers_any_depth": ["loss", "W*", "b*"],
    "course_theta_vectorised": ["loss", "W*", "b*"],
    "sgd_backward_sweep": ["W*", "b*"],
    "mlp_class_methods": ["loss", "W*", "b*"],
    "course_nncost_two_layer": ["loss", "W1", "b1", "b2"],
    "keraslike_dense": ["loss", "b*"],
    "zipped_lists_trace": ["W*", "b*"],
}


# ---------------------------------------------------------------- comparison helpers
def close(a, b, rtol):
    """a (subject) vs b (reference): same shape, finite, max abs error within rtol of b's scale."""
    try:
        a = np.asarray(a, dtype=np.float64)
    except Exception:
        return False
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return float(np.max(np.abs(a - b))) <= rtol * scale + 1e-13


def scaled_close(a, b, factor, rtol=1e-9):
    try:
        return close(np.asarray(a, dtype=np.float64) * factor, b, rtol)
    except Exception:
        return False


# ---------------------------------------------------------------- layouts
def to_layout(params, layout, L):
    if layout == "xw":
        return {k: v.copy() for k, v in params.items()}
    thetas = {f"Theta{l}": np.hstack([params[f"b{l}"][:, None], params[f"W{l}"].T]) for l in range(1, L + 1)}
    if layout == "theta":
        return thetas
    return np.concatenate([thetas[f"Theta{l}"].ravel() for l in range(1, L + 1)])


def from_layout(obj, layout, spec):
    """Subject output (grads or params) in its layout -> {W1, b1, ...} (entries may be odd shapes)."""
    L = spec.depth
    if layout == "xw":
        return {k: obj.get(k) for k in spec.param_names()}
    if layout == "theta":
        thetas = [np.asarray(obj[f"Theta{l}"]) for l in range(1, L + 1)]
    else:
        vec = np.asarray(obj).ravel()
        thetas, pos = [], 0
        for l in range(1, L + 1):
            n = spec.sizes[l] * (spec.sizes[l - 1] + 1)
            thetas.append(vec[pos:pos + n].reshape(spec.sizes[l], spec.sizes[l - 1] + 1))
            pos += n
        if pos != vec.size:
            raise ValueError("unrolled vector has the wrong length")
    out = {}
    for l, T in enumerate(thetas, start=1):
        if T.ndim != 2 or T.shape != (spec.sizes[l], spec.sizes[l - 1] + 1):
            out[f"W{l}"] = out[f"b{l}"] = T  # shape mismatch: both count as different
        else:
            out[f"W{l}"] = T[:, 1:].T
            out[f"b{l}"] = T[:, 0]
    return out


# ---------------------------------------------------------------- cases
class Case:
    def __init__(self, name, kind, spec, params, X, Y, soft):
        self.name, self.kind, self.spec, self.params, self.X, self.Y = name, kind, spec, params, X, Y
        self.soft = soft
        self.batch = X.shape[0]

    @property
    def hidden(self):
        return self.spec.activations[:-1]

    def describe(self):
        return f"{self.name}[{self.spec.describe()} batch={self.batch}{' soft' if self.soft else ''}]"


def make_Y(loss, n_out, batch, rng, soft):
    if loss == "mse":
        return rng.normal(size=(batch, n_out))
    if loss == "softmax_cross_entropy":
        if soft:
            return rng.dirichlet(np.ones(n_out), size=batch)
        return np.eye(n_out)[rng.integers(0, n_out, size=batch)]
    if soft:
        return rng.uniform(size=(batch, n_out))
    return rng.integers(0, 2, size=(batch, n_out)).astype(np.float64)


def make_cases(opts, seed=None):
    rng = np.random.default_rng(SEED if seed is None else seed)
    sizes = tuple(int(s) for s in opts["sizes"].split("-")) if "sizes" in opts else None
    losses = (opts["loss"],) if "loss" in opts else ALL_LOSSES
    hidden = tuple(opts["hidden_activations"].split(",")) if "hidden_activations" in opts else (
        "tanh", "relu", "sigmoid", "identity")
    fixed_l2 = float(opts["l2"]) if "l2" in opts else None
    fixed_batch = int(opts["batch"]) if "batch" in opts else None

    depths = [2, 3, 1, 2, 3, 2, 3, 2]
    batches = [5, 1, 6, 3, 8, 4, 7, 6]
    l2s = [0.0, 0.7, 0.3, 0.0, 1.1, 0.0, 0.5, 0.9]
    out_acts = ["sigmoid", "relu", "identity", "tanh", "sigmoid", "tanh", "relu", "identity"]
    scales = [1.0, 1.0, 1.0, 1.0, 2.0, 1.0, 0.5, 1.0]
    cases = []
    soft_count = {}
    for i in range(8):
        loss = losses[i % len(losses)]
        if sizes is not None:
            sz = sizes
        else:
            sz = tuple(int(w) for w in rng.integers(2, 7, size=depths[i] + 1))
        L = len(sz) - 1
        hid = tuple(hidden[(i + j) % len(hidden)] for j in range(L - 1))
        last = out_acts[i] if loss == "mse" else "identity"
        spec = NetworkSpec(sizes=sz, activations=(*hid, last), loss=loss,
                           l2=fixed_l2 if fixed_l2 is not None else l2s[i])
        batch = fixed_batch or batches[i]
        params = init_params(spec, rng, scale=scales[i])
        X = rng.normal(size=(batch, sz[0]))
        soft = loss != "mse" and soft_count.get(loss, 0) % 2 == 1
        soft_count[loss] = soft_count.get(loss, 0) + 1
        Y = make_Y(loss, sz[-1], batch, rng, soft)
        cases.append(Case(f"net{i}", "regular", spec, params, X, Y, soft))

    # relu tie: zero biases, an all-zero input row -> z == 0 exactly in every relu layer
    if "relu" in hidden:
        sz = sizes if sizes is not None else (4, 5, 4, 3)
        L = len(sz) - 1
        if L >= 2:
            loss = losses[0]
            spec = NetworkSpec(sizes=sz, activations=(*("relu",) * (L - 1), "identity"), loss=loss,
                               l2=fixed_l2 if fixed_l2 is not None else 0.0)
            batch = fixed_batch or 4
            params = init_params(spec, rng)
            for l in range(1, L + 1):
                params[f"b{l}"] = np.zeros_like(params[f"b{l}"])
            X = rng.normal(size=(batch, sz[0]))
            X[0] = 0.0
            Y = make_Y(loss, sz[-1], batch, rng, False)
            cases.append(Case("tie", "tie", spec, params, X, Y, False))

    # large logits: last layer scaled by 1000
    for loss in losses:
        if loss not in LOGIT_LOSSES:
            continue
        sz = sizes if sizes is not None else (4, 5, 3)
        L = len(sz) - 1
        hid = tuple(hidden[0] for _ in range(L - 1))
        spec = NetworkSpec(sizes=sz, activations=(*hid, "identity"), loss=loss,
                           l2=fixed_l2 if fixed_l2 is not None else 0.0)
        batch = fixed_batch or 6
        params = init_params(spec, rng)
        params[f"W{L}"] = params[f"W{L}"] * 1000.0
        params[f"b{L}"] = params[f"b{L}"] * 1000.0
        X = rng.normal(size=(batch, sz[0]))
        Y = make_Y(loss, sz[-1], batch, rng, False)
        cases.append(Case("large-" + ("ce" if loss == "softmax_cross_entropy" else "bce"), "large",
                          spec, params, X, Y, False))
    return cases


# ---------------------------------------------------------------- running
def load(entry):
    path = HERE / entry["file"]
    mod_spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(module)
    return getattr(module, entry["function"])


def run_case(fn, entry, case):
    """Return (ref_loss, ref_grads, sub_loss or None, sub_grads {name: array}, diffs set)."""
    spec, L = case.spec, case.spec.depth
    ref_loss, ref_grads = ref_loss_and_grads(case.params, case.X, case.Y, spec)
    layout, mode = entry["layout"], entry["mode"]
    P = to_layout(case.params, layout, L)
    P_before = copy.deepcopy(P)
    X, Y = case.X.copy(), case.Y.copy()
    diffs = set()
    sub_loss = None
    if mode == "grads":
        sub_loss, g = fn(P, X, Y, spec)
        sub_grads = from_layout(g, layout, spec)
        rtol = RTOL_GRADS
        if not close(sub_loss, ref_loss, rtol):
            diffs.add("loss")
    else:
        new = fn(P, X, Y, spec, LR)
        after = from_layout(new, layout, spec)
        before = from_layout(P_before, layout, spec)
        sub_grads = {}
        for k in spec.param_names():
            try:
                sub_grads[k] = (before[k] - np.asarray(after[k], dtype=np.float64)) / LR
            except Exception:
                sub_grads[k] = np.asarray(after[k])
        rtol = RTOL_UPDATE
    for k in spec.param_names():
        if not close(sub_grads.get(k), ref_grads[k], rtol):
            diffs.add(k)
    # mutation of the arguments is never intended in this corpus
    mutated = not (np.array_equal(X, case.X) and np.array_equal(Y, case.Y))
    if isinstance(P, dict):
        mutated |= any(not np.array_equal(P[k], P_before[k]) for k in P)
    else:
        mutated |= not np.array_equal(P, P_before)
    if mutated:
        diffs.add("MUTATION")
    return ref_loss, ref_grads, sub_loss, sub_grads, diffs


# ---------------------------------------------------------------- witnesses for compound subjects
def reg_term(case):
    """The L2 penalty of the contract at this case's parameters."""
    return case.spec.l2 / (2 * case.batch) * sum(
        float(np.sum(case.params[f"W{l}"] ** 2)) for l in range(1, case.spec.depth + 1))


def data_close(case, r, name, factor):
    """Does factor * (subject - l2 term) match (reference - l2 term) on tensor `name`?"""
    l2 = case.spec.l2 / case.batch * case.params[name] if name.startswith("W") else 0.0
    try:
        sub = np.asarray(r["sub_grads"][name], dtype=np.float64) - l2
    except Exception:
        return False
    return scaled_close(sub, r["ref_grads"][name] - l2, factor)


def W_names(case):
    return [f"W{l}" for l in range(1, case.spec.depth + 1)]


def B_names(case):
    return [f"b{l}" for l in range(1, case.spec.depth + 1)]


WITNESSES = {
    "nielsen_multi_activation": {
        # the loss is touched only by the half-SSE cost: its data part is off by exactly n_out / 2
        "half-sse-vs-mse": lambda c, r: c.spec.sizes[-1] != 2 and scaled_close(
            r["sub_loss"] - reg_term(c), r["ref_loss"] - reg_term(c), 2.0 / c.spec.sizes[-1]),
        # after undoing the n_out/2 factor the output layer matches but the first layer does not
        "sigmoid-deriv-input": lambda c, r: c.spec.depth >= 2
        and data_close(c, r, f"W{c.spec.depth}", 2.0 / c.spec.sizes[-1])
        and not data_close(c, r, "W1", 2.0 / c.spec.sizes[-1]),
    },
    "cs231n_two_layer_b": {
        "reg-on-bias": lambda c, r: "loss" in r["diffs"],
        "bias-mean-vs-sum": lambda c, r: c.spec.l2 == 0 and c.batch > 1 and "b1" in r["diffs"],
    },
    "dlfs_layers_any_depth": {
        "tanh-deriv-input": lambda c, r: c.kind == "regular" and "tanh" in c.hidden
        and any(k in r["diffs"] for k in W_names(c)),
        "relu-tie-convention": lambda c, r: c.kind == "tie" and any(k in r["diffs"] for k in B_names(c)),
        "loss-log-epsilon": lambda c, r: c.kind == "regular" and "loss" in r["diffs"],
    },
    "course_theta_vectorised": {
        "loss-raw-labels": lambda c, r: "loss" in r["diffs"],
        "soft-targets-argmax": lambda c, r: "W2" in r["diffs"],
    },
    "sgd_backward_sweep": {
        "update-order": lambda c, r: any(k in r["diffs"] for k in W_names(c)),
        "param-never-updated": lambda c, r: all(k in r["diffs"] for k in B_names(c)),
    },
    "mlp_class_methods": {
        "batch-scale": lambda c, r: c.kind == "regular" and c.batch > 1 and all(
            scaled_close(r["sub_grads"][k], r["ref_grads"][k], 1.0 / c.batch) for k in r["ref_grads"]),
        "softmax-unstable": lambda c, r: c.kind == "large" and c.spec.loss == "softmax_cross_entropy"
        and not np.isfinite(r["sub_loss"]),
    },
    "course_nncost_two_layer": {
        "sigmoid-deriv-input": lambda c, r: c.spec.l2 == 0 and "W1" in r["diffs"],
        "reg-on-bias": lambda c, r: c.spec.l2 > 0 and "loss" in r["diffs"],
    },
    "keraslike_dense": {
        "bias-row-broadcast": lambda c, r: all(
            np.shape(r["sub_grads"][k]) == (1, c.spec.sizes[int(k[1:])]) for k in B_names(c)),
        "loss-overflow": lambda c, r: c.kind == "large" and not np.isfinite(r["sub_loss"]),
    },
    "zipped_lists_trace": {
        "mean-before-outer": lambda c, r: "relu" not in c.spec.activations and c.batch > 1
        and any(k in r["diffs"] for k in W_names(c)),
        "relu-deriv-on-z": lambda c, r: any(k in r["diffs"] for k in B_names(c)),
    },
}


def check_entry(entry):
    stem = Path(entry["file"]).stem
    problems = []
    try:
        fn = load(entry)
    except Exception as exc:  # noqa: BLE001
        return False, f"cannot load: {exc}", []
    cases = make_cases(entry.get("options", {}))
    revealing = []
    all_diffs = set()
    witnessed = {b["id"]: False for b in entry["bugs"]}
    for case in cases:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                ref_loss, ref_grads, sub_loss, sub_grads, diffs = run_case(fn, entry, case)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{case.describe()}: crashed: {type(exc).__name__}: {exc}")
            if VERBOSE:
                traceback.print_exc()
            continue
        if diffs:
            revealing.append(f"{case.name}:{','.join(sorted(diffs))}")
            all_diffs |= diffs
        if VERBOSE:
            print(f"    {case.describe()}: {sorted(diffs) or 'match'}")
        wit = WITNESSES.get(stem, {})
        info = {"ref_loss": ref_loss, "ref_grads": ref_grads, "sub_loss": sub_loss,
                "sub_grads": sub_grads, "diffs": diffs}
        for bug_id, pred in wit.items():
            try:
                if pred(case, info):
                    witnessed[bug_id] = True
            except Exception:  # noqa: BLE001
                if VERBOSE:
                    traceback.print_exc()
    if "MUTATION" in all_diffs:
        problems.append("mutates its arguments")
    if entry["verdict"] == "pass":
        if all_diffs:
            problems.append("truth says pass but it differs: " + " ".join(revealing))
    else:
        if not all_diffs:
            problems.append("truth says fail but it matches the reference on every network")
        allowed = EXPECT.get(stem)
        if allowed is None:
            problems.append("no EXPECT entry")
        else:
            stray = sorted(d for d in all_diffs if d != "MUTATION"
                           and not any(fnmatch.fnmatchcase(d, p) for p in allowed))
            if stray:
                problems.append(f"differs on tensors outside its truth: {stray}")
        if stem in WITNESSES:
            missing = [b for b in WITNESSES[stem] if b not in witnessed]
            if missing:
                problems.append(f"witness for a bug not in the manifest: {missing}")
            unseen = [b for b, ok in witnessed.items() if b in WITNESSES[stem] and not ok]
            if unseen:
                problems.append(f"bug(s) not witnessed on any network: {unseen}")
            no_witness = [b for b in witnessed if b not in WITNESSES[stem]]
            if no_witness:
                problems.append(f"compound bug without a witness: {no_witness}")
    ok = not problems
    return ok, "; ".join(problems), revealing


def main():
    manifest = json.loads((HERE / "MANIFEST.json").read_text())
    failures = 0
    for entry in manifest:
        if FILTERS and not any(f in entry["file"] for f in FILTERS):
            continue
        ok, msg, revealing = check_entry(entry)
        lines = entry_line_problems(HERE, entry)  # the buggy lines quote the subject's source
        if lines:
            ok, msg = False, "; ".join(filter(None, [msg, *lines]))
        ids = ",".join(b["id"] for b in entry["bugs"]) or "-"
        status = "OK  " if ok else "FAIL"
        detail = msg if not ok else ("differs on " + " ".join(revealing) if revealing else "matches everywhere")
        print(f"{status} {entry['file']:<42} {entry['verdict']:<4} [{ids}] {detail}")
        failures += not ok
    print(f"\n{failures} contradicted truth(s)" if failures else "\nall truths hold")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
