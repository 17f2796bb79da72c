"""Errors shared across layers: bad input from whoever drives the suite (CLI or Python API)."""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["Terminated", "UsageError", "option"]

# an option in a message: {option:NAME} or {option:NAME=VALUE}, NAME as crosscheck/options.py
# declares it (the API keyword)
_OPTION = re.compile(r"\{option:([a-z0-9_]+)(?:=([^{}]*))?\}")


def option(name: str, value=None) -> str:
    """Option ``name`` (with ``value``) in a :class:`UsageError`'s message, however it is given:
    the API's message says ``name`` (``name="value"``), the command line's ``--name``
    (``--name value``). Code below the CLI words its errors this way, never with a flag."""
    return "{option:" + name + ("" if value is None else f"={value}") + "}"


def _keyword(name: str, value: str | None) -> str:
    if value is None:
        return name
    if value in ("True", "False"):  # a bool keyword (bias=False)
        return f"{name}={value}"
    try:
        float(value)
    except ValueError:
        return f'{name}="{value}"'
    return f"{name}={value}"


class UsageError(ValueError):
    """Bad input (arguments, a target that cannot be loaded, an unwritable report directory):
    the CLI prints it in one line and exits 2; the Python API raises it as is.

    ``str()`` names options as the API's keywords; :meth:`worded` as whatever the caller
    calls them (the CLI: its flags)."""

    def worded(self, name_of: Callable[[str, str | None], str]) -> str:
        """The message with each :func:`option` in it written ``name_of(name, value)``."""
        text = super().__str__()
        return _OPTION.sub(lambda m: name_of(m.group(1), m.group(2)), text)

    def __str__(self) -> str:
        return self.worded(_keyword)


class Terminated(BaseException):  # noqa: N818 - a signal, not an error
    """SIGTERM or SIGHUP reached the command. Not the subject's doing, so nothing that judges
    the subject may catch it (it is no ``Exception`` and no ``SystemExit``): it unwinds every
    frame, whose cleanup runs (workers killed, their files removed), up to the command, which
    exits with :attr:`code` = 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.code = 128 + signum
