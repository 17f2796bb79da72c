"""Hostile: ends its own process with status 0 (``os._exit(0)``) in the middle of a call, as
a stray ``os._exit`` in a helper would. Nothing comes back: that can never pass."""

import os


def loss_and_grads(params, X, Y, spec):
    os._exit(0)
