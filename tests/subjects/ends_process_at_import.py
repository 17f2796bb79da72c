"""Hostile: ends the process with status 0 while its module is imported (a script's
``os._exit(0)`` at top level)."""

import os

os._exit(0)


def loss_and_grads(params, X, Y, spec):
    raise AssertionError("never called")
