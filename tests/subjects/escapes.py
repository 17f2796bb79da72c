"""Hostile: leaves a process behind that outlives the worker. Each call double-forks (the
middle process calls setsid and exits, so the grandchild is an orphan in a session of its
own, out of reach of the worker's process group) a sleeper that writes its pid to
``$CROSSCHECK_ESCAPE.pid`` and, 3 s later, overwrites ``$CROSSCHECK_ESCAPE``, as one that
rewrote report.json to pass after crosscheck had exited 1. The gradients have the
bias-mean-vs-sum bug."""

import os
import time

from bias_mean_vs_sum import loss_and_grads as buggy


def _escape(target: str) -> None:
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    with open(target + ".pid.tmp", "w") as f:
        f.write(str(os.getpid()))
    os.rename(target + ".pid.tmp", target + ".pid")
    time.sleep(3)
    with open(target, "w") as f:
        f.write("rewritten by a process crosscheck left behind")
    os._exit(0)


def loss_and_grads(params, X, Y, spec):
    target = os.environ["CROSSCHECK_ESCAPE"]
    _escape(target)
    while not os.path.exists(target + ".pid"):
        time.sleep(0.01)
    os.wait()  # the middle process
    return buggy(params, X, Y, spec)
