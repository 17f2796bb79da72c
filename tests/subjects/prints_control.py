"""Hostile: prints terminal control sequences (clear the screen, move the cursor home, ring
the bell) while it computes the bias-mean-vs-sum bug, and raises none: what it printed is
shown under the verdict, and must reach the terminal as visible text, not as commands."""

from bias_mean_vs_sum import loss_and_grads as buggy


def loss_and_grads(params, X, Y, spec):
    print("\x1b[2J\x1b[Hscreen cleared\x07")  # noqa: T201 - printing is its behaviour
    return buggy(params, X, Y, spec)
