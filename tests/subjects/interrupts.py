"""Broken: raises KeyboardInterrupt itself (a ``raise KeyboardInterrupt`` left in to stop a
long loop). That is the function's failure, not the user pressing Ctrl-C."""


def loss_and_grads(params, X, Y, spec):
    raise KeyboardInterrupt
