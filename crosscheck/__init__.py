"""backprop-crosscheck: tells you precisely whether a hand-written backpropagation is right.

    import crosscheck
    result = crosscheck.verify(my_loss_and_grads, networks=20, seed=0)
    print(result)                   # the summary `crosscheck verify` prints
    crosscheck.assert_backprop(my_loss_and_grads)   # in a test: AssertionError with the summary
    crosscheck.check_at(my_loss_and_grads, params, X, Y, activations="tanh", loss="mse")

Sub-packages: ``crosscheck.reference`` (the numpy reference), ``crosscheck.oracles``
(torch, tensorflow, fd, complex-step), ``crosscheck.engine`` (comparison, vote, campaigns,
shrinking), ``crosscheck.subject`` (loading and adapting user code), ``crosscheck.diagnosis``
(the pitfall catalogue and the diagnosis), ``crosscheck.reports`` (rendering), and
``crosscheck.cli``. ``import crosscheck`` imports neither torch nor tensorflow.
"""

from __future__ import annotations

import importlib

# The public names, imported on first use: the worker process that runs the user's code
# imports crosscheck.subject.worker, which would otherwise pay for the API, the campaign and
# the layer checks it never calls (about half of its start-up).
_PUBLIC = {"VerifyResult": "crosscheck.api", "assert_backprop": "crosscheck.api",
           "check_at": "crosscheck.api", "verify": "crosscheck.api",
           "UsageError": "crosscheck.errors", "LayerVerification": "crosscheck.layers.verify",
           "assert_layer": "crosscheck.layers.verify", "verify_layer": "crosscheck.layers.verify"}


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    # __version__ on first use: importlib.metadata costs ~30 ms, paid again by every worker
    if name == "__version__":
        from importlib import metadata

        try:
            version = metadata.version("backprop-crosscheck")
        except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            version = "0+unknown"
        globals()["__version__"] = version
        return version
    raise AttributeError(f"module 'crosscheck' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))


__all__ = ["LayerVerification", "UsageError", "VerifyResult", "__version__", "assert_backprop",
           "assert_layer", "check_at", "verify", "verify_layer"]
