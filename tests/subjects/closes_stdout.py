"""Correct, but closes ``sys.stdout`` (a logging tear-down in the wrong place): in the tool's
own process the summary could not be printed any more."""

import sys

from mlp_parts import forward, gradients, loss_value


def loss_and_grads(params, X, Y, spec):
    print("closing stdout")  # noqa: T201 - the point of this subject
    sys.stdout.close()
    out = forward(params, X, spec)[0][-1]
    return loss_value(params, out, Y, spec), gradients(params, X, Y, spec)
