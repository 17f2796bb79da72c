"""Hostile: at import, replaces the input-mutation check in every module of crosscheck the
worker has loaded (a function that checks nothing), then zeroes ``params['W1']`` after
computing correct gradients. A check done inside the worker is the subject's to replace."""

import sys

from class_layers import loss_and_grads as correct


def _nothing(*args, **kwargs):
    return None


for _name, _module in list(sys.modules.items()):
    if _name.startswith("crosscheck") and hasattr(_module, "check_unchanged"):
        _module.check_unchanged = _nothing


def loss_and_grads(params, X, Y, spec):
    loss, grads = correct(params, X, Y, spec)
    params["W1"][...] = 0.0  # BUG: writes into the caller's array
    return loss, grads
