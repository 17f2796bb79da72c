"""The record every catalogue entry is: what the bug is, where it shows, who catches it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from crosscheck.reference.network import forward, loss_and_grads
from crosscheck.reference.params import init_params
from crosscheck.reference.sampling import Case, random_case

__all__ = ["Pitfall", "Trace", "effect_below_noise", "trace"]

# A bug whose effect on every tensor is below this fraction of the tensor's scale is treated
# as invisible on that network (e.g. gradients that vanish in saturated units): 1000x above
# the autodiff tolerance's rtol, 100x below the smallest catalogued effect we measured.
NOISE = 1e-7


@dataclass(frozen=True)
class Trace:
    """The reference's intermediate values per layer l = 1..L (index l - 1): the layer input,
    pre-activation, output, and dL/d(output)."""

    a_prev: list
    z: list
    a: list
    da: list
    grads: dict
    loss: float


def trace(case: Case) -> Trace:
    """Run the reference on ``case`` and keep what the predicates look at."""
    from crosscheck.reference.layers import ACTIVATION_FUNCTIONS, affine_backward
    from crosscheck.reference.losses import LOSS_FUNCTIONS

    spec = case.spec
    out, cache = forward(case.params, case.X, spec)
    da = LOSS_FUNCTIONS[spec.loss].grad(out, case.Y)
    das = [None] * spec.depth
    for layer in range(spec.depth, 0, -1):
        a_prev, z, a = cache[layer - 1]
        das[layer - 1] = da
        dz = ACTIVATION_FUNCTIONS[spec.activations[layer - 1]].backward(da, z, a)
        da, _, _ = affine_backward(dz, a_prev, case.params[f"W{layer}"])
    loss, grads = loss_and_grads(case.params, case.X, case.Y, spec)
    return Trace(a_prev=[c[0] for c in cache], z=[c[1] for c in cache], a=[c[2] for c in cache],
                 da=das, grads=grads, loss=loss)


def effect_below_noise(ref: dict, other: dict) -> bool:
    """True when ``other`` differs from ``ref`` by less than NOISE x scale on every tensor."""
    for k, r in ref.items():
        o = np.asarray(other.get(k), dtype=np.float64)
        if o.shape != r.shape or not np.all(np.isfinite(o)):
            return False
        scale = max(float(np.max(np.abs(r), initial=0.0)), 1e-300)
        if float(np.max(np.abs(o - r), initial=0.0)) > NOISE * scale:
            return False
    return True


def _always(case: Case) -> str:
    return ""


@dataclass(frozen=True)
class Pitfall:
    """One documented bug, as a minimal broken variant of the reference or of the FD oracle.

    ``target`` says what is broken: ``"subject"`` (a backprop variant: ``loss_and_grads``),
    ``"update"`` (an SGD step: ``sgd_step``; ``loss_and_grads`` infers the gradient from one
    step at ``DEFAULT_LR``) or ``"fd"`` (a finite-difference oracle: ``fd_oracle()`` returns
    an object with ``name="fd"``, ``kind="fd"`` and ``evaluate(params, X, Y, spec)``).
    ``rule`` returns "" when the bug is observable on a case, else the reason it is not.
    """

    id: str
    title: str
    buggy_line: str
    fixed_line: str
    symptom: str
    caught_by: tuple[str, ...]
    target: str
    rule: Callable[[Case], str] = _always
    loss_and_grads: Callable | None = None
    fd_oracle: Callable | None = None
    sgd_step: Callable | None = None
    # how to draw a network on which the bug shows: random_case options, then prepare(case, rng)
    demo_options: dict = field(default_factory=dict)
    prepare: Callable | None = None
    note: str = ""

    def why_invisible(self, case: Case) -> str:
        """"" when the bug is observable on ``case``; otherwise, in words, why it is not."""
        reason = self.rule(case)
        if reason:
            return reason
        t = trace(case)
        try:
            if self.target == "fd":
                r = self.fd_oracle().evaluate(case.params, case.X, case.Y, case.spec)
                loss, other = r.loss, r.grads
            else:
                loss, other = self.loss_and_grads(case.params, case.X, case.Y, case.spec)
        except Exception:  # an exception is observable: the check reports it
            return ""
        if effect_below_noise({"loss": np.asarray(t.loss), **t.grads},
                              {"loss": np.asarray(loss), **other}):
            return "the bug changes no gradient beyond rounding on this network (vanishing gradients)"
        return ""

    def observable(self, case: Case) -> bool:
        return not self.why_invisible(case)

    def demo_case(self, rng: np.random.Generator, tries: int = 200) -> Case:
        """A random network (from ``rng``) on which the bug is observable."""
        options = {"max_width": 8, "max_depth": 3, "scale": 1.0, **self.demo_options}
        for _ in range(tries):
            case = random_case(rng, **options)
            if self.prepare is not None:
                case = self.prepare(case, rng)
            if self.observable(case):
                return case
        raise RuntimeError(f"no observable network for {self.id} in {tries} draws")


def with_params(case: Case, **changes) -> Case:
    params = dict(case.params)
    params.update(changes)
    return replace(case, params=params)


def fresh_case(case: Case, spec, rng: np.random.Generator) -> Case:
    """``case`` moved to another spec: new parameters, same batch size (data redrawn)."""
    from crosscheck.reference.sampling import random_batch

    params = init_params(spec, rng, scale=case.scale)
    X, Y = random_batch(spec, case.batch, rng)
    return Case(spec=spec, params=params, X=X, Y=Y, scale=case.scale)
