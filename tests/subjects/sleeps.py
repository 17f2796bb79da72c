"""Broken: never returns in time (a debugging pause left in: sleeps a minute per call).

Each call first appends a line to the file named by ``SLEEPS_CALL_LOG``, when it is set, so a
test can count the calls instead of timing them."""

import os
import time


def loss_and_grads(params, X, Y, spec):
    log = os.environ.get("SLEEPS_CALL_LOG")
    if log:
        with open(log, "a") as f:
            f.write("call\n")
    time.sleep(60)
    return 0.0, {}
