"""Hostile ways to outlast a timeout: ignoring SIGALRM and swallowing every exception in a
retry loop (120 s each), and a long C call (an SVD that never checks for signals, 30 s or more)."""

import signal
import time

import numpy as np


def ignores_alarm(params, X, Y, spec):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    time.sleep(120)
    return 0.0, {}


def swallows_timeout(params, X, Y, spec):
    end = time.monotonic() + 120
    while time.monotonic() < end:
        try:
            time.sleep(end - time.monotonic())
        except BaseException:  # noqa: BLE001 - the point: nothing stops it
            pass
    return 0.0, {}


def long_c_call(params, X, Y, spec):
    a = np.random.default_rng(0).normal(size=(5000, 5000))
    np.linalg.svd(a)  # about 30 s on two cores, all of it in LAPACK
    return 0.0, {}
