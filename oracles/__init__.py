"""Independent gradient oracles: PyTorch autograd, TensorFlow GradientTape, finite differences.

``import oracles`` imports no framework; :func:`get_oracle` imports one on demand.
"""

from .base import ORACLE_NAMES, Oracle, OracleResult, OracleUnavailable, get_oracle

__all__ = ["ORACLE_NAMES", "Oracle", "OracleResult", "OracleUnavailable", "get_oracle"]
