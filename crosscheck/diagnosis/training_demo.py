"""A short training run for ``crosscheck explain``: the correct reference and a buggy variant
train the same network on two moons with plain SGD; the loss curves show that a wrong gradient
can still make the loss go down."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crosscheck.diagnosis import Pitfall, reference_sgd_step
from crosscheck.reference.network import REFERENCE_PARTS, backprop
from crosscheck.reference.params import init_params
from crosscheck.reference.sampling import Case
from crosscheck.reference.spec import NetworkSpec

__all__ = ["Curves", "train_both", "training_spec", "two_moons"]


def two_moons(n: int, rng: np.random.Generator, noise: float = 0.15):
    """Two interleaving half circles (as sklearn's make_moons), standardised, one-hot labels."""
    half = n // 2
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.stack([np.cos(t[:half]), np.sin(t[:half])], axis=1)
    lower = np.stack([1.0 - np.cos(t[half:]), 0.5 - np.sin(t[half:])], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0.0, noise, size=(n, 2))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    labels = np.concatenate([np.zeros(half, int), np.ones(n - half, int)])
    return X, np.eye(2)[labels]


def training_spec(p: Pitfall, hidden: int = 16) -> NetworkSpec:
    """A 2-hidden-2 classifier for two moons on which ``p`` can show where possible."""
    acts = p.demo_options.get("hidden_activations", ("tanh",))
    losses = p.demo_options.get("losses", ("softmax_cross_entropy",))
    loss = "mse" if "mse" in losses and "softmax_cross_entropy" not in losses else losses[0]
    out = "relu" if p.id == "inplace-dout" else "identity"
    return NetworkSpec(sizes=(2, hidden, 2), activations=(acts[0], out), loss=loss,
                       l2=p.demo_options.get("l2", 0.0))


def _step_fn(p: Pitfall):
    """``step(params, X, Y, spec, lr) -> new params`` for the buggy side."""
    if p.target == "update":
        return p.sgd_step
    if p.target == "fd":
        oracle = p.fd_oracle()

        def grads(params, X, Y, spec):
            return oracle.loss_and_grads(params, X, Y, spec)[1]
    else:
        def grads(params, X, Y, spec):
            return p.loss_and_grads(params, X, Y, spec)[1]

    def step(params, X, Y, spec, lr):
        g = grads(params, X, Y, spec)
        return {k: params[k] - lr * g[k] for k in params}
    return step


def _loss(params, X, Y, spec) -> float:
    return backprop(params, X, Y, spec, REFERENCE_PARTS)[0]


@dataclass(frozen=True)
class Curves:
    case: Case  # the training network at initialisation (full data set)
    reference: list
    buggy: list
    error: str  # why the buggy code could not train ("" when it did)
    lr: float


def train_both(p: Pitfall, rng: np.random.Generator, *, steps: int = 200, lr: float = 0.1,
               n: int = 200) -> Curves:
    """Full-batch SGD from the same start; the *true* loss (reference forward) is recorded.
    A bug that cannot run on 2-16-2 (a shape error) is retried on the square 2-2-2."""
    curves = _train(p, rng, training_spec(p), steps, lr, n)
    if curves.error:
        square = _train(p, rng, training_spec(p, hidden=2), steps, lr, n)
        if not square.error:
            return square
    return curves


def _train(p: Pitfall, rng, spec, steps, lr, n) -> Curves:
    X, Y = two_moons(n, rng)
    if spec.loss == "mse":
        Y = Y.astype(np.float64)
    params0 = init_params(spec, rng)
    case = Case(spec=spec, params=params0, X=X, Y=Y)
    if p.target == "fd":  # naive differences: a smaller batch keeps the demo fast
        steps = min(steps, 80)
    curves = {}
    error = ""
    for label, step in (("reference", reference_sgd_step), ("buggy", _step_fn(p))):
        params = {k: v.copy() for k, v in params0.items()}
        losses = [_loss(params, X, Y, spec)]
        try:
            with np.errstate(all="ignore"):
                for _ in range(steps):
                    params = step(params, X, Y, spec, lr)
                    if not all(np.all(np.isfinite(v)) for v in params.values()):
                        losses.append(float("nan"))  # diverged: the curve ends here
                        break
                    losses.append(_loss(params, X, Y, spec))
        except Exception as exc:  # the bug itself: e.g. a shape error
            error = f"{type(exc).__name__}: {exc}"
        curves[label] = losses
    return Curves(case=case, reference=curves["reference"], buggy=curves["buggy"], error=error, lr=lr)


def plot_png(curves: Curves, title: str) -> bytes:
    """Both loss curves as PNG bytes (matplotlib, imported here: it is only needed for --plot)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    ax.plot(curves.reference, label="correct reference")
    ax.plot(curves.buggy, label="buggy variant", linestyle="--")
    ax.set_xlabel(f"SGD step (lr = {curves.lr:g}, full batch, two moons)")
    ax.set_ylabel("training loss")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
