"""Errors shared across layers: bad input from whoever drives the suite (CLI or Python API)."""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(ValueError):
    """Bad input (arguments, a target that cannot be loaded, an unwritable report directory):
    the CLI prints it in one line and exits 2; the Python API raises it as is."""
