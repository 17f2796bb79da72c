"""A standalone reproduction script (numpy + torch) for one failing case.

The script embeds the network, parameters and batch exactly (Python float reprs round-trip),
recomputes the gradients with PyTorch autograd, and compares them tensor by tensor with the
subject's: the subject is imported again when ``SUBJECT`` names it and it can be imported,
otherwise the gradients the subject returned when crosscheck ran (embedded) are used. It
prints one line per tensor and exits 1 when they disagree.
"""

from __future__ import annotations

import numpy as np
from crosscheck.reference.sampling import Case

__all__ = ["reproduction_script"]

_TEMPLATE = '''#!/usr/bin/env python3
"""Reproduce crosscheck {title}: does {subject} agree with PyTorch autograd?

Network {describe}, batch {batch}. Needs numpy and torch only; exits 1 on a disagreement.
"""
import importlib
import importlib.util
import sys

import numpy as np
import torch

SIZES = {sizes!r}
ACTIVATIONS = {activations!r}
LOSS = {loss!r}
L2 = {l2!r}
PARAMS = {{
{params}}}
X = np.array({X})
Y = np.array({Y})
# "file.py:function" or "module:function"; None uses the gradients recorded below
SUBJECT = {subject_import!r}
# what the subject returned when crosscheck ran
RECORDED_LOSS = {recorded_loss}
RECORDED_GRADS = {{
{recorded}}}
RTOL, ATOL = 1e-7, 1e-9


class Spec:
    """The fields of crosscheck's NetworkSpec that a subject reads, without crosscheck."""

    sizes, activations, loss, l2 = SIZES, ACTIVATIONS, LOSS, L2
    depth = len(SIZES) - 1

    def param_names(self):
        return [f"{{p}}{{i}}" for i in range(1, self.depth + 1) for p in "Wb"]

    def param_shapes(self):
        return {{f"{{p}}{{i}}": ((self.sizes[i - 1], self.sizes[i]) if p == "W" else (self.sizes[i],))
                for i in range(1, self.depth + 1) for p in "Wb"}}


def torch_loss_and_grads(params, X, Y):
    t = {{k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}}
    a = torch.tensor(X, dtype=torch.float64)
    y = torch.tensor(Y, dtype=torch.float64)
    acts = {{"identity": lambda z: z, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "relu": torch.relu}}
    for layer, act in enumerate(ACTIVATIONS, start=1):
        a = acts[act](a @ t[f"W{{layer}}"] + t[f"b{{layer}}"])
    batch = X.shape[0]
    if LOSS == "mse":
        loss = torch.mean((a - y) ** 2)
    elif LOSS == "softmax_cross_entropy":
        loss = -(y * torch.log_softmax(a, dim=1)).sum() / batch
    else:
        loss = torch.nn.functional.binary_cross_entropy_with_logits(a, y, reduction="sum") / batch
    if L2 > 0:
        loss = loss + L2 / (2.0 * batch) * sum((t[f"W{{i}}"] ** 2).sum()
                                               for i in range(1, len(SIZES)))
    loss.backward()
    return float(loss.detach()), {{k: v.grad.numpy() for k, v in t.items()}}


def subject_loss_and_grads():
    if SUBJECT is not None:
        try:
            target, func = SUBJECT.rsplit(":", 1)
            if target.endswith(".py"):
                spec = importlib.util.spec_from_file_location("crosscheck_subject", target)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
            else:
                module = importlib.import_module(target)
            try:  # crosscheck's own spec where it is installed (a subject may check the type)
                net = importlib.import_module("crosscheck.reference").NetworkSpec(
                    sizes=SIZES, activations=ACTIVATIONS, loss=LOSS, l2=L2)
            except ImportError:
                net = Spec()
            params = {{k: v.copy() for k, v in PARAMS.items()}}
            loss, grads = getattr(module, func)(params, X.copy(), Y.copy(), net)
            print(f"subject: called {{SUBJECT}}")
            return float(loss), grads
        except Exception as exc:  # noqa: BLE001 - fall back to the recorded answer
            print(f"subject: cannot call {{SUBJECT}} ({{type(exc).__name__}}: {{exc}}); "
                  "using the recorded gradients")
    else:
        print("subject: using the recorded gradients")
    return RECORDED_LOSS, RECORDED_GRADS


def main():
    loss, grads = subject_loss_and_grads()
    ref_loss, ref = torch_loss_and_grads(PARAMS, X, Y)
    bad = 0
    rows = [("loss", np.asarray(loss), np.asarray(ref_loss))]
    rows += [(k, np.asarray(grads[k], dtype=np.float64), ref[k]) for k in PARAMS]
    for name, a, b in rows:
        diff = np.abs(a - b)
        worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
        ok = bool(np.all(diff <= ATOL + RTOL * np.abs(b)))
        bad += not ok
        idx = "[" + ", ".join(str(int(i)) for i in worst) + "]" if worst else ""
        print(f"{{'ok      ' if ok else 'DISAGREE'}} {{name}}{{idx}}: subject={{float(a[worst]):.10g}} "
              f"torch={{float(b[worst]):.10g}} |diff|={{float(diff[worst]):.2e}}")
    print(f"{{bad}} tensor(s) disagree" if bad else "all tensors agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
'''


def _array(a: np.ndarray) -> str:
    return repr(np.asarray(a, dtype=np.float64).tolist())


def _dict_lines(d: dict) -> str:
    return "".join(f"    {k!r}: np.array({_array(v)}),\n" for k, v in d.items())


def reproduction_script(case: Case, *, subject: str, subject_import: str | None = None,
                        recorded=None, title: str = "case") -> str:
    """The script's text. ``recorded`` is the subject's Party on ``case`` (its loss and grads
    are embedded); ``subject_import`` ("file.py:func" or "module:func") lets the script call
    the subject again."""
    spec = case.spec
    grads = recorded.grads if recorded is not None else {}
    loss = repr(float(recorded.loss)) if recorded is not None else "float('nan')"
    return _TEMPLATE.format(
        title=_safe_doc(title), subject=_safe_doc(subject), describe=spec.describe(),
        batch=case.batch, sizes=tuple(spec.sizes), activations=tuple(spec.activations),
        loss=spec.loss, l2=float(spec.l2), params=_dict_lines(case.params), X=_array(case.X),
        Y=_array(case.Y), subject_import=subject_import, recorded_loss=loss,
        recorded=_dict_lines(grads),
    )


def _safe_doc(text: str) -> str:
    """Text that cannot end the script's docstring or break its line."""
    return repr(str(text))[1:-1].replace('"', "'")
