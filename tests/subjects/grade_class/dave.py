"""Hangs: an infinite loop."""


def loss_and_grads(params, X, Y, spec):
    while True:
        pass
