"""A standalone reproduction script (numpy + torch) for one failing case.

The script embeds the network, parameters and batch exactly (Python float reprs round-trip),
recomputes the gradients with PyTorch autograd, and compares them tensor by tensor with the
subject's. When ``SUBJECT`` names the subject and its file (or module) still exists, the
script imports it again and calls it as crosscheck did (same layout, mode, learning rate and
dtype), so a fixed function turns the script green: it exits 0. Only when the subject is gone
does it use what the subject returned when crosscheck ran (embedded; for a subject that
raised, the error). It prints one line per tensor and exits 1 when they disagree.
"""

from __future__ import annotations

import numpy as np
from crosscheck.reference.ops import ACTIVATION_OPS, LOSS_OPS
from crosscheck.reference.sampling import Case

__all__ = ["COMPARE", "LOAD", "reproduction_script"]

# How a script imports the user's function again, shared by the network and layer scripts.
LOAD = '''def load(target):
    """The function ``/path/file.py:name`` (a relative path: next to this script) or
    ``package.module:name`` names; None when its file or module is gone."""
    where, name = target.rsplit(":", 1)
    if where.endswith(".py") or "/" in where or "\\\\" in where:
        here = Path(__file__).resolve().parent
        path = Path(where) if Path(where).is_absolute() else here / where
        if not path.is_file() and (here / path.name).is_file():
            path = here / path.name  # moved next to this script
        if not path.is_file():
            return None
        sys.path.insert(0, str(path.parent))  # it may import its neighbours
        spec = importlib.util.spec_from_file_location("crosscheck_subject", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(where)
        except ModuleNotFoundError as exc:
            if exc.name and where.startswith(exc.name):
                return None
            raise
    obj = module
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj'''

# The scripts' comparison, shared by the network and the layer reproductions: one line per
# tensor at its worst element, NaN a disagreement. (Inserted into a template as a value, so
# its braces are its own.)
COMPARE = '''def compare(rows, who):
    """Print one line per (name, who's, torch's) row; return how many disagree."""
    bad = 0
    for name, a, b in rows:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            print(f"DISAGREE {name}: shape {a.shape}, expected {b.shape}")
            bad += 1
            continue
        diff = np.abs(a - b)
        worst = (np.unravel_index(int(np.argmax(np.where(np.isnan(diff), np.inf, diff))),
                                  diff.shape) if diff.ndim and diff.size else ())
        tol = ATOL + ATOL_SCALE * float(np.max(np.abs(b), initial=0.0)) + RTOL * np.abs(b)
        ok = bool(np.all(diff <= tol))  # NaN fails
        bad += not ok
        idx = "[" + ", ".join(str(int(i)) for i in worst) + "]" if worst else ""
        print(f"{'ok      ' if ok else 'DISAGREE'} {name}{idx}: {who}={float(a[worst]):.10g} "
              f"torch={float(b[worst]):.10g} |diff|={float(diff[worst]):.2e}")
    print(f"{bad} tensor(s) disagree" if bad else "all tensors agree")
    return bad'''

_TEMPLATE = '''#!/usr/bin/env python3
"""Reproduce crosscheck {title}: does {subject} agree with PyTorch autograd?

Network {describe}, batch {batch}. Needs numpy and torch only; exits 1 on a disagreement,
0 once the subject agrees (it is imported again from SUBJECT while that exists).
"""
import importlib
import importlib.util
import sys
import traceback
from pathlib import Path

import numpy as np
import torch

nan, inf = float("nan"), float("inf")  # what a subject returned may hold them

SIZES = {sizes!r}
ACTIVATIONS = {activations!r}
LOSS = {loss!r}
L2 = {l2!r}
# the conventions (crosscheck's NetworkSpec): REDUCTION "mean" | "sum" (batch x the mean
# objective), L2_CONVENTION "batch" (L2 / (2 batch) sum W^2 beside a mean loss) | "plain"
# (L2 / 2 sum W^2), BIAS False: no b_l at all
REDUCTION, L2_CONVENTION, BIAS = {reduction!r}, {l2_convention!r}, {bias!r}
PARAMS = {{
{params}}}
X = np.array({X})
Y = np.array({Y}){y_dtype}
# "/abs/path/file.py:function" (or relative to this script) or "module:function"; None uses
# what was recorded below
SUBJECT = {subject_import!r}
# how crosscheck called it: --layout, --mode (update: an SGD step at LR), --dtype
LAYOUT, MODE, LR, DTYPE = {layout!r}, {mode!r}, {lr!r}, {dtype!r}
# --fixed-lr: the step size LR is built into the step (no lr argument); --unrolled-order:
# how theta-unrolled flattens each Theta_l ("C" row-major, "F" column-major)
FIXED_LR, ORDER = {fixed!r}, {order!r}
# what the subject returned when crosscheck ran (None: it returned nothing usable)
RECORDED_LOSS = {recorded_loss}
RECORDED_GRADS = {recorded}
RECORDED_ERROR = {recorded_error!r}
# |subject - torch| <= ATOL + ATOL_SCALE * max|torch| + RTOL * |torch|, per tensor
RTOL, ATOL, ATOL_SCALE = {rtol!r}, {atol!r}, {atol_scale!r}
# the first line of the subject's code that computed a wrong value, as crosscheck found it
# (None: none found); `python THIS_SCRIPT --pdb` stops there in pdb, before the line runs
{line_comment}WRONG_LINE = {wrong_line!r}


class Spec:
    """The fields of crosscheck's NetworkSpec that a subject reads, without crosscheck."""

    sizes, activations, loss, l2 = SIZES, ACTIVATIONS, LOSS, L2
    reduction, l2_convention, bias = REDUCTION, L2_CONVENTION, BIAS
    depth = len(SIZES) - 1

    def param_names(self):
        return [f"{{p}}{{i}}" for i in range(1, self.depth + 1) for p in ("Wb" if BIAS else "W")]

    def param_shapes(self):
        return {{f"{{p}}{{i}}": ((self.sizes[i - 1], self.sizes[i]) if p == "W" else (self.sizes[i],))
                for i in range(1, self.depth + 1) for p in ("Wb" if BIAS else "W")}}


def torch_loss_and_grads(params, X, Y):
    t = {{k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}}
    a = torch.tensor(X, dtype=torch.float64)
    labels = Y.ndim == 1  # integer class indices
    y = torch.tensor(Y, dtype=torch.int64 if labels else torch.float64)
    acts = {{
{acts}    }}
    for layer, act in enumerate(ACTIVATIONS, start=1):
        z = a @ t[f"W{{layer}}"]
        a = acts[act](z + t[f"b{{layer}}"] if BIAS else z)
    batch = X.shape[0]
    loss = {loss_expr}
    if REDUCTION == "sum":  # summed over the batch: batch x the mean loss
        loss = loss * batch
    if L2 > 0:  # L2 / (2 batch) sum W^2 only for a mean loss under the "batch" convention
        divisor = batch if REDUCTION == "mean" and L2_CONVENTION == "batch" else 1.0
        loss = loss + L2 / (2.0 * divisor) * sum((t[f"W{{i}}"] ** 2).sum()
                                                 for i in range(1, len(SIZES)))
    loss.backward()
    return float(loss.detach()), {{k: v.grad.numpy() for k, v in t.items()}}


{load}


def load_subject():
    """The subject's function, or None when its file or module is gone."""
    return load(SUBJECT)


def _thetas(params):
    return {{f"Theta{{i}}": np.hstack([params[f"b{{i}}"][:, None], params[f"W{{i}}"].T])
            for i in range(1, len(SIZES))}}


def encode(params):
    """The parameters in the subject's layout and dtype (fresh copies)."""
    if LAYOUT == "xw":
        return {{k: v.astype(DTYPE) for k, v in params.items()}}
    thetas = {{k: T.astype(DTYPE) for k, T in _thetas(params).items()}}
    return thetas if LAYOUT == "theta" else np.concatenate([T.ravel(order=ORDER)
                                                            for T in thetas.values()])


def decode(obj):
    """The subject's answer as float64 W/b arrays; ValueError naming what does not fit."""
    shapes = Spec().param_shapes()
    if LAYOUT == "xw":
        out = {{k: np.asarray(obj[k], dtype=np.float64) for k in PARAMS}}
    else:
        want = {{f"Theta{{i}}": (SIZES[i], SIZES[i - 1] + 1) for i in range(1, len(SIZES))}}
        if LAYOUT == "theta-unrolled":
            flat, obj, start = np.asarray(obj, dtype=np.float64).ravel(), {{}}, 0
            if flat.size != sum(r * c for r, c in want.values()):
                raise ValueError(f"a vector of {{flat.size}} values, expected "
                                 f"{{sum(r * c for r, c in want.values())}}")
            for k, (rows, cols) in want.items():
                obj[k] = flat[start:start + rows * cols].reshape(rows, cols, order=ORDER)
                start += rows * cols
        out = {{}}
        for k, shape in want.items():
            T = np.asarray(obj[k], dtype=np.float64)
            if T.shape != shape:
                raise ValueError(f"{{k}} has shape {{T.shape}}, expected {{shape}}")
            i = k[len("Theta"):]
            out[f"W{{i}}"], out[f"b{{i}}"] = T[:, 1:].T.copy(), T[:, 0].copy()
    for k, shape in shapes.items():
        if out[k].shape != shape:
            raise ValueError(f"{{k}} has shape {{out[k].shape}}, expected {{shape}}")
    return out


def call_subject(fn):
    """What the subject returns, called as crosscheck called it."""
    try:  # crosscheck's own spec where it is installed (a subject may check the type)
        net = importlib.import_module("crosscheck.reference").NetworkSpec(
            sizes=SIZES, activations=ACTIVATIONS, loss=LOSS, l2=L2, reduction=REDUCTION,
            l2_convention=L2_CONVENTION, bias=BIAS)
    except ImportError:
        net = Spec()
    x = X.astype(DTYPE)
    y = Y if Y.ndim == 1 else Y.astype(DTYPE)
    args = ((encode(PARAMS), x, y, net, LR) if MODE == "update" and not FIXED_LR
            else (encode(PARAMS), x, y, net))
    if "--pdb" in sys.argv[1:] and WRONG_LINE is not None:
        import pdb

        debugger = pdb.Pdb()
        debugger.set_break(*WRONG_LINE)
        debugger.rcLines.append("continue")  # straight to the line, not the function's first
        return debugger.runcall(fn, *args)
    return fn(*args)


def read_answer(out):
    """(loss or None, float64 gradients) from what the subject returned. An SGD step (update
    mode) returns no loss; its gradient is (before - after) / lr."""
    if MODE == "update":
        before = {{k: v.astype(DTYPE).astype(np.float64) for k, v in PARAMS.items()}}
        new = decode(out)
        return None, {{k: (before[k] - new[k]) / LR for k in PARAMS}}
    loss, grads = out
    return float(loss), decode(grads)


def subject_answer():
    """(loss, grads, where they came from), or (None, None, why) when there are none."""
    fn = load_subject() if SUBJECT is not None else None
    if fn is None:
        gone = f" ({{SUBJECT}} is gone)" if SUBJECT else ""
        if RECORDED_GRADS is None:
            what = RECORDED_ERROR or "returned nothing usable"
            return None, None, f"nothing recorded to compare{{gone}}: when crosscheck ran, it {{what}}"
        return RECORDED_LOSS, RECORDED_GRADS, f"using the recorded gradients{{gone}}"
    try:
        out = call_subject(fn)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the subject's failure is the answer
        frames = traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:]
        return None, None, f"called {{SUBJECT}}, which raised:\\n{{''.join(frames).rstrip()}}"
    try:
        loss, grads = read_answer(out)
    except Exception as exc:  # noqa: BLE001
        return None, None, (f"called {{SUBJECT}}, which returned something unusable: "
                            f"{{type(exc).__name__}}: {{exc}}")
    return loss, grads, f"called {{SUBJECT}}"


{compare}


def main():
    loss, grads, source = subject_answer()
    print(f"subject: {{source}}")
    if grads is None:
        return 1
    ref_loss, ref = torch_loss_and_grads(PARAMS, X, Y)
    rows = [] if loss is None else [("loss", np.asarray(loss), np.asarray(ref_loss))]
    rows += [(k, np.asarray(grads[k], dtype=np.float64), ref[k]) for k in PARAMS]
    bad = compare(rows, "subject")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
'''

# The script's tolerance: far looser than the engine's table (it checks one network against
# torch alone, with no fd to arbitrate), far tighter than any catalogued bug. For a float32
# subject, the table's float32 row (crosscheck/engine/tolerances.py).
_SCRIPT_TOLERANCE = {"float64": (1e-7, 1e-9, 0.0), "float32": (1e-4, 1e-5, 5e-4)}


def _array(a: np.ndarray) -> str:
    return repr(np.asarray(a, dtype=np.float64).tolist())


def _dict_lines(d: dict) -> str:
    return "".join(f"    {k!r}: np.array({_array(v)}),\n" for k, v in d.items())


_CNN_TEMPLATE = '''#!/usr/bin/env python3
"""Reproduce crosscheck {title}: does {subject} agree with PyTorch autograd?

Network {describe}, batch {batch} (shrunk unless the report says otherwise). Needs numpy
and crosscheck (its CNNSpec and its PyTorch oracle); exits 1 on a disagreement, 0 once the
subject agrees (it is imported again from SUBJECT while that exists).
"""
import importlib
import importlib.util
import sys
import traceback
from pathlib import Path

import numpy as np
from crosscheck.oracles import get_oracle
from crosscheck.reference import CNNSpec

nan, inf = float("nan"), float("inf")  # what a subject returned may hold them

SPEC = CNNSpec.from_dict({spec!r})
PARAMS = {{
{params}}}
X = np.array({X})
Y = np.array({Y}, dtype=np.int64)
# "/abs/path/file.py:function" (or relative to this script) or "module:function"; None uses
# what was recorded below
SUBJECT = {subject_import!r}
# what the subject returned when crosscheck ran (None: it returned nothing usable)
RECORDED_LOSS = {recorded_loss}
RECORDED_GRADS = {recorded}
RECORDED_ERROR = {recorded_error!r}
# |subject - torch| <= ATOL + ATOL_SCALE * max|torch| + RTOL * |torch|, per tensor
RTOL, ATOL, ATOL_SCALE = {rtol!r}, {atol!r}, {atol_scale!r}
# the first line of the subject's code that computed a wrong value, as crosscheck found it
# (None: none found); `python THIS_SCRIPT --pdb` stops there in pdb, before the line runs
{line_comment}WRONG_LINE = {wrong_line!r}


{load}


def call(fn, *args):
    """fn(*args), in pdb stopped at WRONG_LINE with --pdb."""
    if "--pdb" in sys.argv[1:] and WRONG_LINE is not None:
        import pdb

        debugger = pdb.Pdb()
        debugger.set_break(*WRONG_LINE)
        debugger.rcLines.append("continue")  # straight to the line, not the function's first
        return debugger.runcall(fn, *args)
    return fn(*args)


def subject_answer():
    """(loss, grads, where they came from), or (None, None, why) when there are none."""
    fn = load(SUBJECT) if SUBJECT is not None else None
    if fn is None:
        gone = f" ({{SUBJECT}} is gone)" if SUBJECT else ""
        if RECORDED_GRADS is None:
            what = RECORDED_ERROR or "returned nothing usable"
            return None, None, f"nothing recorded to compare{{gone}}: when crosscheck ran, it {{what}}"
        return RECORDED_LOSS, RECORDED_GRADS, f"using the recorded gradients{{gone}}"
    try:
        loss, grads = call(fn, {{k: v.copy() for k, v in PARAMS.items()}}, X.copy(), Y.copy(),
                           SPEC)
        grads = {{k: np.asarray(grads[k], dtype=np.float64) for k in PARAMS}}
        return float(loss), grads, f"called {{SUBJECT}}"
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the subject's failure is the answer
        frames = traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:]
        return None, None, f"called {{SUBJECT}}, which failed:\\n{{''.join(frames).rstrip()}}"


{compare}


def main():
    loss, grads, source = subject_answer()
    print(f"subject: {{source}}")
    if grads is None:
        return 1
    ref = get_oracle("torch").evaluate(PARAMS, X, Y, SPEC)
    rows = [("loss", np.asarray(loss), np.asarray(ref.loss))]
    rows += [(k, grads[k], ref.grads[k]) for k in PARAMS]
    return 1 if compare(rows, "subject") else 0


if __name__ == "__main__":
    sys.exit(main())
'''


def _line_fields(line) -> dict:
    """The script's WRONG_LINE and the comment naming it, from the line found (or None)."""
    found = line if line and line.get("status") == "found" else None
    return {"wrong_line": (found["file"], int(found["line"])) if found else None,
            "line_comment": "".join(f"# {row}\n" for row in found["text"].splitlines())
            if found else ""}


def _cnn_script(case: Case, *, subject: str, subject_import, recorded, title: str,
                error: str, line=None) -> str:
    rtol, atol, atol_scale = _SCRIPT_TOLERANCE["float64"]
    grads = "None" if recorded is None else "{\n" + _dict_lines(recorded.grads) + "}"
    loss = "None" if recorded is None else repr(float(recorded.loss))
    return _CNN_TEMPLATE.format(
        compare=COMPARE, load=LOAD, title=_safe_doc(title), subject=_safe_doc(subject),
        describe=_safe_doc(case.spec.describe()), batch=case.batch, spec=case.spec.to_dict(),
        params=_dict_lines(case.params), X=_array(case.X), Y=repr(case.Y.tolist()),
        subject_import=subject_import, recorded_loss=loss, recorded=grads,
        recorded_error=_one_line(error), rtol=rtol, atol=atol, atol_scale=atol_scale,
        **_line_fields(line))


def reproduction_script(case: Case, *, subject: str, subject_import: str | None = None,
                        recorded=None, title: str = "case", call: dict | None = None,
                        error: str = "", line=None) -> str:
    """The script's text. ``recorded`` is the subject's Party on ``case`` (its loss and grads
    are embedded), or None when it produced none (``error`` says what it did instead);
    ``subject_import`` ("/abs/file.py:func" or "module:func") lets the script call the subject
    again, as ``call`` says crosscheck called it (``layout``, ``mode``, ``lr``, ``dtype``,
    ``fixed_lr``: a step size built in, ``unrolled_order``).
    ``line`` is the first wrong line found (crosscheck/locate), named in a comment; the
    script's ``--pdb`` stops there."""
    spec = case.spec
    call = {"layout": "xw", "mode": "grads", "lr": 0.1, "dtype": "float64", "fixed_lr": None,
            "unrolled_order": "C", **(call or {})}
    if error.startswith(f"{subject} "):  # "label raised ValueError: ..." -> "raised ValueError: ..."
        error = error[len(subject) + 1:]
    if hasattr(spec, "input_shape"):  # a CNN-style network (reports import no spec types)
        return _cnn_script(case, subject=subject, subject_import=subject_import,
                           recorded=recorded, title=title, error=error, line=line)
    labels = case.Y.ndim == 1
    rtol, atol, atol_scale = _SCRIPT_TOLERANCE[call["dtype"]]
    if recorded is None:
        grads, loss = "None", "None"
    else:
        grads = "{\n" + _dict_lines(recorded.grads) + "}"
        loss = "None" if call["mode"] == "update" else repr(float(recorded.loss))
    return _TEMPLATE.format(
        compare=COMPARE, load=LOAD, acts=_torch_acts(spec.activations),
        loss_expr=LOSS_OPS[spec.loss].repro,
        title=_safe_doc(title), subject=_safe_doc(subject), describe=spec.describe(),
        batch=case.batch, sizes=tuple(spec.sizes), activations=tuple(spec.activations),
        loss=spec.loss, l2=float(spec.l2), reduction=spec.reduction,
        l2_convention=spec.l2_convention, bias=spec.bias,
        params=_dict_lines(case.params), X=_array(case.X),
        Y=repr(case.Y.tolist()) if labels else _array(case.Y),
        y_dtype=".astype(np.int64)" if labels else "", subject_import=subject_import,
        layout=call["layout"], mode=call["mode"], lr=float(call["lr"]), dtype=call["dtype"],
        fixed=call["fixed_lr"] is not None, order=call["unrolled_order"],
        recorded_loss=loss, recorded=grads, recorded_error=_one_line(error),
        rtol=rtol, atol=atol, atol_scale=atol_scale, **_line_fields(line))


def _torch_acts(names) -> str:
    """The script's table of the network's activations, each as its record writes it in torch
    (reference/ops.py)."""
    return "".join(f"        {name!r}: lambda z: {ACTIVATION_OPS[name].repro},\n"
                   for name in dict.fromkeys(names))


def _one_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def _safe_doc(text: str) -> str:
    """Text that cannot end the script's docstring or break its line."""
    return repr(str(text))[1:-1].replace('"', "'")
