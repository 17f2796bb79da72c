"""Is a backward consistent with its own forward? Cheap check first, per element on failure.

The consistency check of ``verify-layer`` differences the user's own forward. Element by
element that costs two forward calls per input element (a loop-based ``conv_forward_naive``
was called 4,781 times for 20 cases, issue 21). By default it now runs the way
``torch.autograd.gradcheck(fast_mode=True)`` does (``torch/autograd/gradcheck.py``:
``_fast_gradcheck``, ``_get_numerical_vJu``, ``_run_slow_mode_and_get_error``; see
https://github.com/pytorch/pytorch/issues/53876):

- what we took: per differentiable input T a random unit direction u (its own for each input,
  the other inputs held still), the central difference of ``f = sum(dout * forward(...))``
  along u, ``(f(T + h u) - f(T - h u)) / 2h`` (two forward calls), compared with ``<dT, u>``
  from the user's backward; the output side is already contracted, gradcheck's ``v`` being
  our ``dout``. And gradcheck's rule for a failure: re-run the slow, per-element check for
  the failing case only, so the message says which elements of which tensor are wrong
  (gradcheck's ``_run_slow_mode_and_get_error``). We also re-run it for a case that fails
  only against the frameworks: the case's findings are then exactly the per-element
  check's, as before (batch norm with eps outside the square root has a backward off its
  own forward by about 1e-5 relative: per element that fails, along directions it can pass).
- what we did differently: gradcheck draws one ``u`` of non-negative entries (``torch.rand``,
  normalised) and scales ``atol`` by ``sum(u) * sum(v)``; we draw :data:`DIRECTIONS` Gaussian
  directions (no sign bias: an error that sums to zero over a tensor, such as a transposed
  or shifted gradient, is not favoured) and take the fd row of the tolerance table with its
  gradient term scaled by ``||dT||_2`` (:func:`directional_tolerance`), the rule of the
  directional votes of large networks (crosscheck/engine/tolerances.py), since
  ``|<err, u>| <= ||err||_2`` for a unit u.

How many directions. An error e in dT goes unseen along u only when ``|<e, u>|`` falls under
the tolerance. For the hardest case, one wrong element of an n-element tensor, ``<e, u> = e_i
u_i`` with ``u_i`` about N(0, 1/n): an error that clears the tolerance a hundredfold at a
typical ``|u_i| = 1/sqrt(n)`` is missed along one direction when ``|u_i|`` falls below 1% of
that, with probability 0.8%; along two independent directions 6e-5, along three 5e-7. (A
catalogued bug, an O(1) error in a tensor of at most a few hundred elements, clears it
about a thousandfold: 5e-10 along three.) Three directions cost six forward calls per
tensor, against two per element (a tensor of at most three elements is differenced element
by element, which costs no more); a fourth would buy a factor 100 for two more calls.

The step and its error are fd_core's ``LAYER_STEP`` (h = 1e-6, unscaled; u has unit norm, so
each element moves by at most h, as in the per-element check): truncation ``h^2 |f'''_u| / 6``
and rounding ``eps |f| / h`` ~ 2e-10 |f|, far under the tolerance's 1e-7 floor for the O(1)
draws of the cases.

The directions are a function of the input's position and shape only (:func:`directions`),
so the worker that differences the forward and this process that forms ``<dT, u>`` agree on
them without sending them, and a case is checked the same way every time (cases of the same
shape share them: the probabilities above are per shape, not per case).

numpy only (through the engine's compare and tolerances); nothing here prints.
"""

from __future__ import annotations

import numpy as np

from crosscheck.engine.compare import compare_tensor
from crosscheck.engine.tolerances import TOLERANCES, Tolerance

__all__ = ["DIRECTIONAL", "DIRECTIONS", "FULL_FD_ELEMENTS", "PER_ELEMENT", "consistency",
           "directional_tolerance", "directions", "needs_elements", "uses_directions"]

# How finite differences of the user's forward are asked for (the worker gets the name):
DIRECTIONAL = "directions"  # every tensor along DIRECTIONS random directions (the default)
PER_ELEMENT = "elements"  # element by element up to FULL_FD_ELEMENTS, directions above

DIRECTIONS = 3  # random unit directions per tensor: the module's docstring says why three
# Above this many elements even the per-element check goes along the directions (a
# convolution's input of thousands of elements): its explanation is the directional one.
FULL_FD_ELEMENTS = 512


def directions(position: int, shape: tuple) -> np.ndarray:
    """(DIRECTIONS, *shape) Gaussian unit directions for the input at ``position`` in the kind:
    the same on both sides of the worker (seeded by the position, sized by the shape)."""
    u = np.random.default_rng([0xC0FFEE, position]).normal(size=(DIRECTIONS, *shape))
    return u / np.sqrt((u.reshape(DIRECTIONS, -1) ** 2).sum(axis=1)).reshape(-1, *[1] * len(shape))


def uses_directions(size: int, how: str) -> bool:
    """Whether a tensor of ``size`` elements is differenced along :func:`directions` (else
    element by element) under ``how`` (:data:`DIRECTIONAL` or :data:`PER_ELEMENT`)."""
    if how == PER_ELEMENT:
        return size > FULL_FD_ELEMENTS
    return size > DIRECTIONS  # two calls per element are then no more than per direction


def directional_tolerance(grad: np.ndarray) -> Tolerance:
    """The fd row for ``<grad, u>`` against the difference along a unit ``u``: its gradient
    term scaled by ``||grad||_2`` (``|<err, u>| <= ||err||_2``), as the table's directional
    votes."""
    fd = TOLERANCES["fd"]
    return Tolerance(rtol=fd.rtol, atol_grad=0.0, atol_loss=0.0,
                     atol_abs=fd.atol_grad * float(np.linalg.norm(grad)) + fd.atol_loss)


def consistency(inputs, grads: dict, num: dict, label: str) -> list:
    """The findings ``("consistency", "dT", message)`` of the backward's ``grads`` against the
    numerical ones ``num`` of the forward: ``num[T]`` element by element (the fd row), or
    ``num["T.u"]``, the derivatives along :func:`directions`, against ``<dT, u>``."""
    found = []
    for position, k in enumerate(inputs):
        if f"{k}.u" in num:
            mine = np.tensordot(directions(position, grads[k].shape), grads[k], axes=grads[k].ndim)
            d = compare_tensor(f"d{k}.u", mine, num[f"{k}.u"], label, "fd-of-your-forward",
                               directional_tolerance(grads[k]), 0.0)
            if not d.ok:
                found.append(("consistency", f"d{k}", d.message()))
        if k in num:
            d = compare_tensor(f"d{k}", grads[k], num[k], label, "fd-of-your-forward",
                               TOLERANCES["fd"], 0.0)
            if not d.ok:
                found.append(("consistency", f"d{k}", d.message()))
    return found


def needs_elements(grads: dict, num: dict, how: str) -> bool:
    """After a check made ``how`` failed: would the per-element check say more? Only when a
    tensor went along directions that it would take element by element (``grads``: the
    backward's, by input name)."""
    return how == DIRECTIONAL and any(
        f"{k}.u" in num and not uses_directions(np.size(g), PER_ELEMENT) for k, g in grads.items())
