"""Finding the line: the first line of the user's own code that computes a wrong value.

``trace`` runs in the worker (the arrays each line of the user's code binds), ``match`` in the
parent (those arrays against the reference's intermediates on the same inputs);
:func:`find_line` joins them for one failing network case (an MLP's, or a CNN's), and
:func:`find_layer_line` for one failing case of a layer pair (``verify-layer``); the chains
they match against are ``match.mlp_nodes`` and ``layer_nodes.layer_nodes`` /
``layer_nodes.cnn_nodes``. docs/find-the-line.md says how the matching works and where it
stops.
"""

from __future__ import annotations

__all__ = ["find_layer_line", "find_line", "layer_case_line"]


def find_line(worker, case, *, dtype: str = "float64", shape: dict | None = None) -> dict | None:
    """The line for one failing network ``case`` (a dict for the reports, see
    :func:`crosscheck.locate.match.locate`), or None when the subject cannot be traced (it
    runs in this process, or the traced call did not come back). ``shape``: the data of a
    gradient handed back in the wrong shape (the line that made it is looked for)."""
    from crosscheck.engine.check import SubjectError
    from crosscheck.locate.match import locate, locate_shape, mlp_nodes
    from crosscheck.reference.cnn_spec import is_cnn

    trace = getattr(worker, "trace", None)
    if trace is None:
        return None
    try:
        records, truncated = trace(case.params, case.X, case.Y, case.spec)
    except SubjectError:
        return None
    if is_cnn(case.spec):
        from crosscheck.locate.layer_nodes import cnn_nodes

        nodes = cnn_nodes(case.params, case.X, case.Y, case.spec)
        n_out = case.spec.n_classes
    else:
        from crosscheck.reference.network import intermediates

        found = intermediates(case.params, case.X, case.Y, case.spec)
        nodes = mlp_nodes(found, case.params, case.X, case.Y, case.spec)
        n_out = case.spec.sizes[-1]
        if shape is not None:
            return locate_shape(records, nodes, shape, dtype=dtype)
    rates = ()
    if getattr(worker, "mode", "") == "update":
        from crosscheck.subject.adapters import step_rates, traced_rates

        rates = traced_rates(step_rates(worker.lr, getattr(worker, "fixed_lr", None)))
    return locate(records, nodes, batch=case.X.shape[0], n_out=n_out, dtype=dtype,
                  truncated=truncated, rates=rates, layout=getattr(worker, "layout", ""))


def find_layer_line(worker, kind: str, arrays: dict, extra: dict, dout, *,
                    forward_only: bool = False, dtype: str = "float64") -> dict | None:
    """The line for one failing case of a layer pair: ``arrays``, ``extra`` and ``dout`` as
    the check gave them to the pair (``crosscheck.layers.check.CaseData``); None when the
    pair cannot be traced (it runs in this process, or the traced call did not come back)."""
    import numpy as np

    from crosscheck.engine.check import SubjectError
    from crosscheck.layers.kinds import KINDS
    from crosscheck.locate.layer_nodes import layer_nodes
    from crosscheck.locate.match import locate

    trace = getattr(worker, "trace_layer", None)
    if trace is None:
        return None
    given = arrays if dtype == "float64" else {k: v.astype(np.float32) for k, v in arrays.items()}
    up = dout if dtype == "float64" or dout is None else np.asarray(dout).astype(np.float32)
    try:
        out = None
        if kind == "dropout":  # its mask is the pair's own draw: read it from its output
            out, _, _ = worker.call_layer(given, extra, up, numerical=False,
                                          forward_only=forward_only)
        records, truncated = trace(given, extra, up, forward_only)
    except SubjectError:
        return None
    nodes = layer_nodes(kind, arrays, extra, dout, forward_only, out=out)
    first = next(iter(arrays.values()))
    batch = np.shape(extra["x"])[0] if kind == "word_embedding" else first.shape[0]
    n_out = first.shape[1] if KINDS[kind].loss else 1
    return locate(records, nodes, batch=batch, n_out=n_out, dtype=dtype, truncated=truncated)


def layer_case_line(worker, cases, shrunk, *, dtype: str = "float64",
                    dropout_p: str = "keep") -> dict | None:
    """The line for a layer check's failures: traced on the first shrunk case that failed on
    numbers (not an error), else on the first such case as it failed; None when no case
    failed on numbers or the pair cannot be traced. ``cases``: the check's ``LayerCase``s,
    ``shrunk``: its ``ShrunkCase``s."""
    from dataclasses import replace

    from crosscheck.layers.check import prepare

    def numeric(case) -> bool:
        return case.verdict == "fail" and not case.error and bool(case.findings) \
            and case.shape is not None

    pick = next(((s.case, s.data) for s in shrunk if numeric(s.case)), None)
    if pick is None:
        case = next((c for c in cases if numeric(c)), None)
        if case is None:
            return None
        data = prepare(case.shape, dtype)
        if case.shape.kind == "dropout" and dropout_p == "drop":  # as the check gave it
            param = data.extra["param"]
            data = replace(data, extra={**data.extra, "param": {**param, "p": 1.0 - param["p"]}})
        pick = (case, data)
    case, data = pick
    return find_layer_line(worker, case.shape.kind, data.arrays, data.extra, data.dout,
                           forward_only=case.shape.mode == "test", dtype=dtype)
