"""Finding the line: the first line of the user's own code that computes a wrong value.

``trace`` runs in the worker (the arrays each line of the user's code binds), ``match`` in the
parent (those arrays against the reference's intermediates on the same inputs);
:func:`find_line` joins them for one failing MLP case. docs/find-the-line.md says how the
matching works and where it stops.
"""

from __future__ import annotations

__all__ = ["find_line"]


def find_line(worker, case, *, dtype: str = "float64") -> dict | None:
    """The line for one failing MLP ``case`` (a dict for the reports, see
    :func:`crosscheck.locate.match.locate`), or None when the subject cannot be traced (it
    runs in this process, or the traced call did not come back)."""
    from crosscheck.engine.check import SubjectError
    from crosscheck.locate.match import locate, mlp_nodes
    from crosscheck.reference.network import intermediates

    trace = getattr(worker, "trace", None)
    if trace is None:
        return None
    try:
        records, truncated = trace(case.params, case.X, case.Y, case.spec)
    except SubjectError:
        return None
    found = intermediates(case.params, case.X, case.Y, case.spec)
    nodes = mlp_nodes(found, case.params, case.X, case.Y, case.spec)
    return locate(records, nodes, batch=case.X.shape[0], n_out=case.spec.sizes[-1],
                  dtype=dtype, truncated=truncated)
