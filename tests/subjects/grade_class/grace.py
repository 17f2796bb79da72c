"""Ends its own process."""
import os


def loss_and_grads(params, X, Y, spec):
    os._exit(0)
