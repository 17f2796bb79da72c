"""Independent gradient oracles: PyTorch autograd, TensorFlow GradientTape, finite differences,
complex step.

``import oracles`` imports no framework; :func:`get_oracle` imports one on demand.
"""

from .base import (
    DEFAULT_ORACLES,
    ORACLE_NAMES,
    VERIFY_ORACLES,
    Oracle,
    OracleNotApplicable,
    OracleResult,
    OracleUnavailable,
    get_oracle,
)

__all__ = ["DEFAULT_ORACLES", "ORACLE_NAMES", "VERIFY_ORACLES", "Oracle", "OracleNotApplicable",
           "OracleResult", "OracleUnavailable", "get_oracle"]
