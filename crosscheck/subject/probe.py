"""What the user's function can take, found out before a campaign and after it.

- :func:`probe_signature`: before any network is drawn, whether the function can be called
  with the contract's arguments at all. One that cannot gets one message (what it takes, and
  which mode or layout it looks like) instead of the same failure on every network.
- :func:`advise`: after the campaign, when the function raised on some kinds of network only
  (an activation or a loss it does not implement), the flags that would leave those out.

Reading a signature runs none of the user's code.
"""

from __future__ import annotations

import inspect

from crosscheck.reference.spec import DEFAULT_ACTIVATIONS

__all__ = ["advise", "probe_signature"]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _binds(sig: inspect.Signature, n: int) -> bool:
    try:
        sig.bind(*range(n))
    except TypeError:
        return False
    return True


def _looks_like(sig: inspect.Signature, names: list[str], layout: str, mode: str,
                fixed: bool = False) -> str:
    """The hint that follows a signature that does not fit: another mode, another layout, or
    what is missing."""
    if fixed and _binds(sig, 5):
        return ("it takes a learning rate: use --lr (checked at lr and 2 x lr) instead of "
                "--fixed-lr, which is for a step whose size is built in")
    if mode == "grads" and _binds(sig, 5):
        return "it looks like an SGD step f(params, X, Y, spec, lr) -> new_params: use --mode update"
    if mode == "update" and _binds(sig, 4):
        return ("it looks like a gradient function f(params, X, Y, spec) -> (loss, grads): "
                "drop --mode update (an SGD step with its step size built in? use --fixed-lr LR)")
    lowered = [n.lower() for n in names]
    if lowered and lowered[0] in ("x", "inputs", "data"):
        return ("the data comes first, as in a model's loss method (CS231n style); the suite "
                "passes the parameters first: wrap it as def f(params, X, Y, spec) that calls it")
    if len(names) >= 6 and any("size" in n or "num" in n for n in lowered):
        return ("it looks like the course's nnCostFunction with the layer sizes as arguments: "
                "wrap it as def f(nn_params, X, Y, spec) (sizes in spec.sizes) and use "
                "--layout theta-unrolled")
    need = 5 if mode == "update" and not fixed else 4
    if len(names) < need:
        missing = ["params", "X", "Y", "spec", "lr"][len(names):need]
        spec_note = (" (spec carries sizes, activations, loss, l2 and depth)"
                     if "spec" in missing else "")
        return f"the suite passes {need} arguments: add {', '.join(missing)}{spec_note}"
    return f"the suite passes exactly {need} positional arguments"


def probe_signature(fn, *, layout: str = "xw", mode: str = "grads", fixed: bool = False) -> str:
    """"" when ``fn`` can be called as the contract calls it (4 positional arguments, 5 in
    update mode unless the step size is built in: ``fixed``); otherwise one line saying how
    the suite calls it, what it takes, and what it looks like. A function whose signature
    cannot be read (a builtin) passes the probe: its first call will tell."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return ""
    takes_lr = mode == "update" and not fixed
    need = 5 if takes_lr else 4
    if _binds(sig, need):
        return ""
    first = "nn_params" if layout == "theta-unrolled" else "params"
    call = f"f({first}, X, Y, spec{', lr' if takes_lr else ''})"
    params = list(sig.parameters.values())
    names = [p.name for p in params if p.kind in _POSITIONAL]
    required = [p for p in params if p.kind in _POSITIONAL and p.default is p.empty]
    keyword_only = [p.name for p in params
                    if p.kind == inspect.Parameter.KEYWORD_ONLY and p.default is p.empty]
    name = getattr(fn, "__name__", "it")
    if keyword_only:
        takes = f"{name}{sig} has required keyword-only parameter(s) {', '.join(keyword_only)}"
        hint = "give them defaults: the suite passes positional arguments only"
    else:
        count = (f"{len(required)} required parameters" if len(required) > need
                 else f"{len(names)} parameter(s)")
        takes = f"{name}{sig} has {count}"
        hint = _looks_like(sig, names, layout, mode, fixed)
    return f"cannot be called as {call}: {takes}; {hint}"


# ---- after the campaign ---------------------------------------------------------------------

def _features(spec) -> set[tuple[str, str]]:
    return ({("hidden", a) for a in spec.activations[:-1]}
            | {("output", spec.activations[-1]), ("loss", spec.loss)})


def _words(culprits: set[tuple[str, str]]) -> str:
    parts = []
    for kind, what in (("hidden", "a hidden {} layer"), ("output", "a {} output layer"),
                       ("loss", "the {} loss")):
        names = sorted(n for k, n in culprits if k == kind)
        if names:
            parts.append(what.format(" or ".join(names)))
    return " or ".join(parts)


def advise(cases: list, options) -> str:
    """One line of advice when the subject raised on some networks only, and what those
    networks had (hidden activations, output activation, loss) never appeared in a network it
    ran on: the flags of ``crosscheck verify`` that would leave them out. "" otherwise."""
    raised = [c for c in cases if c.error_kind == "raised"]
    ran = [c for c in cases if not c.error]
    if not raised or not ran:
        return ""
    seen = set().union(*(_features(c.spec) for c in ran))
    culprits = set().union(*(_features(c.spec) for c in raised)) - seen
    if not culprits or any(not (_features(c.spec) & culprits) for c in raised):
        return _depth_advice(raised, ran)  # the depth, or something else no flag avoids
    flags = []
    hidden = [a for a in options.hidden_activations if ("hidden", a) not in culprits]
    if hidden != list(options.hidden_activations) and hidden:
        flags.append(f"--hidden-activations {','.join(hidden)}")
    outputs = list(options.output_activations or DEFAULT_ACTIVATIONS)
    kept = [a for a in outputs if ("output", a) not in culprits]
    if kept != outputs and kept:
        flags.append(f"--output-activation {','.join(kept)}")
    losses = [loss for loss in options.losses if ("loss", loss) not in culprits]
    if losses != list(options.losses) and losses:
        flags.append(f"--loss {','.join(losses)}")
    if not flags:
        return ""
    return (f"advice: it raised on the {len(raised)} network(s) with {_words(culprits)}, and "
            f"ran on every other; to check what it implements, add {' '.join(flags)}")


def _depth_advice(raised: list, ran: list) -> str:
    """The advice line when the depth alone tells the networks it raised on from those it ran
    on (no hidden layer, or deeper than it handles), naming the exception; "" otherwise."""
    bad, good = {c.spec.depth for c in raised}, {c.spec.depth for c in ran}
    if max(bad) < min(good):
        shallow = max(bad) == 1 and len(bad) == 1
        what = ("no hidden layer (depth 1)" if shallow
                else f"depth {' or '.join(map(str, sorted(bad)))}")
        example = "-".join(map(str, next(c.spec.sizes for c in ran if c.spec.depth == min(good))))
        hidden = "a hidden layer" if min(good) == 2 else f"{min(good) - 1} hidden layers"
        fix = f"--sizes with {hidden} (any widths), e.g. --sizes {example}"
    elif min(bad) > max(good):
        what = f"depth {' or '.join(map(str, sorted(bad)))}"
        fix = f"--max-depth {max(good)}"
    else:
        return ""
    names = {(c.error_data or {}).get("exception", "") for c in raised}
    how = f"raised {names.pop()}" if len(names) == 1 and "" not in names else "raised"
    return (f"advice: it {how} on the {len(raised)} network(s) with {what}, and ran on "
            f"every other; to check what it implements, add {fix}")
