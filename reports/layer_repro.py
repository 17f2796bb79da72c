"""A reproduction script for a shrunk failing layer case (``repro_layer_case_N.py``).

The script embeds the smallest failing case exactly (arrays as Python float reprs, which
round-trip), imports the user's forward and backward again from their files, calls them the
way crosscheck did (the call is written out, so it can be stepped through in a debugger),
and compares the output and every gradient with PyTorch's own op and autograd through
crosscheck's layer oracle; for dropout it also checks the mask the forward drew (0 or 1/p,
and a kept fraction that fits p), since a comparison with torch can only replay that mask.
It exits 1 while they disagree and 0 once the layer is fixed.
"""

from __future__ import annotations

import numpy as np
from crosscheck.reports.repro import COMPARE, LOAD, _line_fields

__all__ = ["layer_reproduction_script", "literal"]

_TEMPLATE = '''#!/usr/bin/env python3
"""Reproduce crosscheck verify-layer {kind}: {title}.

The smallest failing case: {describe}.
Calls your layer on it as crosscheck did and compares with PyTorch's op and autograd.
Needs numpy and crosscheck (for torch's layer op); exits 1 while they disagree, 0 once they
agree. FORWARD and BACKWARD are imported again from their files each run.
"""
import copy
import importlib
import importlib.util
import sys
import traceback
from pathlib import Path

import numpy as np
from crosscheck.oracles.torch_layers import torch_layer

KIND = {kind!r}
FORWARD = {forward!r}
BACKWARD = {backward!r}
INPUTS = {inputs!r}
DTYPE = {dtype!r}  # what crosscheck gave your layer
KEEP = {keep!r}  # dropout: the probability of keeping an entry (EXTRA holds the p you read)
TEST_MODE = {test_mode!r}  # the forward at inference: nothing to differentiate
ARRAYS = {{
{arrays}}}
EXTRA = {extra}
DOUT = {dout}
# |yours - torch| <= ATOL + ATOL_SCALE * max|torch| + RTOL * |torch|, per tensor
RTOL, ATOL, ATOL_SCALE = {rtol!r}, {atol!r}, {atol_scale!r}
# the first line of your layer's code that computed a wrong value, as crosscheck found it
# (None: none found); `python THIS_SCRIPT --pdb` stops there in pdb, before the line runs
{line_comment}WRONG_LINE = {wrong_line!r}


{load}


def loaded(target):
    fn = load(target)
    if fn is None:
        sys.exit(f"{{target}} is gone: edit FORWARD and BACKWARD at the top of this script")
    return fn


def run_yours():
    """(out, {{input: gradient}}) from your layer, called as crosscheck called it."""
    forward = loaded(FORWARD)
    backward = loaded(BACKWARD) if BACKWARD else None
    mine = {{k: v.astype(DTYPE) for k, v in ARRAYS.items()}}
    extra = copy.deepcopy(EXTRA)
{call}


{compare}


def main():
    try:
        if "--pdb" in sys.argv[1:] and WRONG_LINE is not None:
            import pdb

            debugger = pdb.Pdb()
            debugger.set_break(*WRONG_LINE)
            debugger.rcLines.append("continue")  # straight to the line
            out, grads = debugger.runcall(run_yours)
        else:
            out, grads = run_yours()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - your layer's failure is the answer
        print("your layer raised:")
        print("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:]).rstrip())
        return 1
    extra = dict(EXTRA)
    problem = ""
    if KIND == "dropout" and not TEST_MODE:  # torch applies the mask your forward drew
        from crosscheck.layers.check import dropout_mask

        mask, problem = dropout_mask(np.asarray(out, dtype=np.float64), ARRAYS["x"], KEEP,
                                     rtol=1e-5 if DTYPE == "float32" else 1e-9,
                                     hint=KEEP == EXTRA["param"]["p"])
        extra["mask"] = mask
        extra["param"] = {{**EXTRA["param"], "p": KEEP}}
    t_out, t_grads = torch_layer(KIND, ARRAYS, extra, DOUT)
    rows = [("loss" if DOUT is None else "out", out, t_out)]
    rows += [(f"d{{k}}", grads[k], t_grads[k]) for k in ([] if TEST_MODE else INPUTS)]
    bad = compare(rows, "yours")
    if problem:  # the rows above replay your own mask: they cannot see a wrong one
        print(f"DISAGREE the mask your forward drew (torch replayed it above): {{problem}}")
    return 1 if bad or problem else 0


if __name__ == "__main__":
    sys.exit(main())
'''


def literal(value) -> str:
    """Python source that rebuilds ``value`` exactly (arrays, dicts, numbers, strings)."""
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()!r}, dtype=np.{value.dtype.name})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


class _Name:
    """A placeholder that prints as the expression it stands for."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class _Names(dict):
    def __init__(self, prefix: str, keys) -> None:
        super().__init__((k, _Name(f"{prefix}[{k!r}]")) for k in keys)


def _call(kind, args_of) -> str:
    """The lines of ``run_yours`` that call the pair, written out for the kind."""
    arrays = _Names("mine", kind.inputs)

    class Extra(dict):
        def __getitem__(self, key):
            return _Name(f"extra[{key!r}]")

    args = ", ".join(repr(a) for a in args_of(arrays, Extra()))
    if kind.loss:
        return (f"    loss, dx = forward({args})\n"
                f"    return loss, {{'x': dx}}")
    return (f"    out, cache = forward({args})\n"
            f"    if TEST_MODE:\n"
            f"        return out, {{}}\n"
            f"    grads = backward(DOUT.astype(DTYPE), cache)\n"
            f"    grads = grads if isinstance(grads, (tuple, list)) else (grads,)\n"
            f"    return out, dict(zip(INPUTS, grads))")


def layer_reproduction_script(kind, *, title: str, describe: str, forward: str,
                              backward: str | None, arrays: dict, extra: dict, dout,
                              dtype: str, test_mode: bool, tolerance,
                              keep: float | None = None, line: dict | None = None) -> str:
    """The script's text. ``kind`` is the :class:`~crosscheck.layers.kinds.LayerKind`,
    ``forward``/``backward`` the targets (``/abs/file.py:name``), ``tolerance`` the row of
    the table the case was judged with, ``keep`` dropout's keep probability (by default the
    ``p`` in ``extra``, as the contract reads it); ``line`` the first wrong line found
    (crosscheck/locate), named in a comment, where the script's ``--pdb`` stops."""
    if keep is None and "p" in (extra.get("param") or {}):
        keep = extra["param"]["p"]
    rows = "".join(f"    {k!r}: {literal(v)},\n" for k, v in arrays.items())
    return _TEMPLATE.format(
        kind=kind.name, title=title, describe=describe, forward=forward, backward=backward,
        inputs=tuple(kind.inputs), dtype=dtype, keep=keep, test_mode=test_mode, arrays=rows,
        extra=literal(extra), dout="None" if dout is None else literal(np.asarray(dout)),
        rtol=tolerance.rtol, atol=tolerance.atol_loss, atol_scale=tolerance.atol_grad,
        call=_call(kind, kind.args), compare=COMPARE, load=LOAD, **_line_fields(line))
