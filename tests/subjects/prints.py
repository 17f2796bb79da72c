"""Broken (bias-mean-vs-sum) and chatty: prints debugging lines, to stdout, to stderr and
straight to file descriptor 1, as a learner's code does."""

import os
import sys

from mlp_parts import forward, gradients, loss_value

print("prints.py imported")  # noqa: T201 - the point of this subject


def loss_and_grads(params, X, Y, spec):
    print(f"debug: X has shape {X.shape}")  # noqa: T201 - the point of this subject
    print("debug: on stderr", file=sys.stderr)  # noqa: T201 - the point of this subject
    os.write(1, b"debug: straight to fd 1\n")
    out = forward(params, X, spec)[0][-1]
    return loss_value(params, out, Y, spec), gradients(params, X, Y, spec,
                                                       bias=lambda d: d.mean(axis=0))
