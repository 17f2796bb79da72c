"""One oracle interface, selected by name; frameworks are imported only when asked for."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

__all__ = ["DEFAULT_ORACLES", "ORACLE_NAMES", "VERIFY_ORACLES", "Oracle", "OracleNotApplicable",
           "OracleResult", "OracleUnavailable", "get_oracle"]


class OracleUnavailable(RuntimeError):
    """The framework behind an oracle is not installed or cannot be imported."""


class OracleNotApplicable(ValueError):
    """The oracle cannot judge this network (complex step through a ReLU): the caller leaves
    it out of that case's vote and says so."""


@dataclass(frozen=True)
class OracleResult:
    """What an oracle says about one network.

    ``kinks`` maps a tensor name to a boolean mask of coordinates where the oracle's answer is
    not trustworthy (a finite difference that crossed a ReLU kink); autodiff oracles leave it
    empty. ``unchecked`` maps a tensor name to a boolean mask of coordinates the oracle did
    not compute at all (a sampled finite-difference check on a large network); their values
    are NaN and a comparison must leave them out.
    """

    oracle: str
    loss: float
    grads: dict
    kinks: dict = field(default_factory=dict)
    unchecked: dict = field(default_factory=dict)


class Oracle(Protocol):
    name: str
    kind: str  # "autodiff", "fd" or "complex-step": the key into the tolerance table

    def evaluate(self, params: dict, X: np.ndarray, Y: np.ndarray, spec) -> OracleResult: ...

    def loss_and_grads(self, params: dict, X: np.ndarray, Y: np.ndarray, spec): ...


# name -> (module, class, the pip requirement that provides the framework)
_REGISTRY = {
    "torch": (".torch_oracle", "TorchOracle", "torch>=2.2,<2.14"),
    "tensorflow": (".tf_oracle", "TensorFlowOracle", "tensorflow-cpu"),
    "fd": (".fd", "FiniteDifferenceOracle", None),
    "complex-step": (".complex_step", "ComplexStepOracle", None),
}
ORACLE_NAMES: tuple[str, ...] = tuple(_REGISTRY)
# What `crosscheck run` uses without --oracles. complex-step is opt-in: it applies only to
# networks without ReLU, and where it applies it stands in for fd (see crosscheck/engine/check.py).
DEFAULT_ORACLES: tuple[str, ...] = ("torch", "tensorflow", "fd")
# What `crosscheck verify` (and grade, and the API's verify) use without --oracles: the two
# independent answers a verdict needs (autodiff and numerical; crosscheck/engine/check.py,
# too_few_answers), without waiting the 2-3 s TensorFlow takes to import, so a verdict comes
# in about the time torch takes to import. --oracles torch,tensorflow,fd adds the third.
VERIFY_ORACLES: tuple[str, ...] = ("torch", "fd")


def get_oracle(name: str, **options) -> Oracle:
    """The oracle called ``name`` (``torch``, ``tensorflow``, ``fd`` or ``complex-step``).

    Raises ``ValueError`` for an unknown name and :class:`OracleUnavailable`, naming the
    package to install, when its framework is missing.
    """
    if name not in _REGISTRY:
        raise ValueError(f"unknown oracle {name!r}; choose from {', '.join(ORACLE_NAMES)}")
    module_name, class_name, requirement = _REGISTRY[name]
    try:
        module = importlib.import_module(module_name, __package__)
        return getattr(module, class_name)(**options)
    except ImportError as exc:
        raise OracleUnavailable(
            f"oracle {name!r} needs {requirement!r}, which cannot be imported ({exc}); "
            f"install it with: pip install '{requirement}'"
        ) from exc
