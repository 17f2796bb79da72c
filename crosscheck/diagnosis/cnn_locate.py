"""Where a CNN's backward first goes wrong, read from which gradients are wrong.

Backprop runs from the loss down. When every gradient of the layers above a parameter layer
agrees with the oracles and that layer's do not, the error entered between them: in what
flows into that layer's output (the backward of the parameter-free layers in between, ReLU,
pooling, dropout, the flatten, and the dx of the parameter layer above) or in that layer's
own parameter-gradient formulas. Which of its tensors are wrong tells those two apart: when
its bias (or beta) agrees, its upstream gradient is right and the wrong weight's formula, or
its L2 term, is the place. These are measured facts about one network; nothing is replayed.
"""

from __future__ import annotations

from crosscheck.reference.cnn_spec import CNNSpec

__all__ = ["locate"]

_VERIFY_LAYER = {"conv": "conv", "relu": "relu", "max_pool": "max_pool", "avg_pool": "avg_pool",
                 "batchnorm": "batchnorm", "dropout": "dropout", "affine": "affine"}


def _name(spec: CNNSpec, index: int) -> str:
    return f"layer {index + 1} {spec.layers[index].label()}"


def locate(spec: CNNSpec, wrong: set[str]) -> str:
    """One sentence: where the error starts, going backward, and the layer checks that would
    test that stretch alone (``crosscheck verify-layer KIND``); "" when nothing but the loss
    value is wrong."""
    owner = spec.param_layers()  # name -> index in spec.layers
    wrong_params = {n for n in wrong if n in owner}
    if not wrong_params:
        return ("only the loss value is wrong: the forward, the loss or its L2 term"
                if "loss" in wrong else "")
    weights = set(spec.weight_names())
    if spec.l2 > 0 and wrong_params == weights and len(weights) > 1:
        value = " and the loss value with it" if "loss" in wrong else ""
        return (f"every weight's gradient is wrong ({', '.join(sorted(weights))}) and every other "
                f"agrees, with l2 = {spec.l2:g}: the L2 term{value} (the contract's penalty is "
                f"l2 / (2 batch) * sum ||W||^2, its gradient l2 / batch * W)")
    top = max(owner[n] for n in wrong_params)  # the latest layer, the first going backward
    names = sorted((n for n in owner if owner[n] == top), key=lambda n: n[0] != "W" and n[0] != "g")
    above = sorted({owner[n] for n in owner if owner[n] > top})
    right_above = ", ".join(_name(spec, i) for i in above)
    mine = [n for n in names if n in wrong]
    layer = spec.layers[top]
    where = _name(spec, top)
    agree = (f"every gradient above it ({right_above}) agrees" if above
             else "it is the last layer, the scores' gradient comes from the loss")
    if len(mine) < len(names):
        # one of its tensors agrees (dW = x^T dout, db = sum dout): the gradient arriving at
        # its output is right, the wrong one's own formula is not
        l2 = (f", or the L2 term's gradient (l2 = {spec.l2:g} here)"
              if spec.l2 > 0 and any(n.startswith("W") for n in mine) else "")
        return (f"the first wrong gradients going backward are {where}'s {', '.join(mine)}, "
                f"while its {', '.join(n for n in names if n not in mine)} agrees and {agree}: "
                f"the gradient reaching its output is right, so the formula of "
                f"{', '.join('d' + n for n in mine)} is wrong{l2}")
    start = above[0] if above else len(spec.layers)
    between = [i for i in range(top + 1, start)]
    kinds = [spec.layers[i].kind for i in between]
    path = ", ".join(_name(spec, i) for i in between)
    if above:
        upstream = (f"the backward of {path} or the dx of {_name(spec, start)}" if between
                    else f"the dx of {_name(spec, start)}")
    else:
        upstream = (f"the backward of {path} or the loss's gradient of the scores" if between
                    else "the loss's gradient of the scores")
    checks = sorted({_VERIFY_LAYER[k] for k in (*kinds, layer.kind, *(
        [spec.layers[start].kind] if above else []))} & set(_VERIFY_LAYER))
    return (f"the first wrong gradients going backward are {where}'s {', '.join(mine)}, and "
            f"{agree}: the error is in {upstream}, or in {where}'s own gradient formulas; "
            f"crosscheck verify-layer tests each alone ({', '.join(checks)})")
