"""A one-line progress bar on a terminal; silent when stderr is not a TTY or in CI."""

from __future__ import annotations

import os
import sys
import time

__all__ = ["Progress"]


class Progress:
    def __init__(self, label: str, stream=None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = self.stream.isatty() and not os.environ.get("CI")
        self.enabled = enabled
        self.label = label
        self.failed = 0
        self.t0 = time.perf_counter()

    def __call__(self, done: int, total: int, case) -> None:
        self.failed += case.verdict == "fail"
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / total)
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / done * (total - done)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                          f"{done}/{total}  {self.failed} failed  eta {eta:4.0f}s ")
        if done == total:
            self.stream.write("\r" + " " * (width + len(self.label) + 48) + "\r")
        self.stream.flush()
