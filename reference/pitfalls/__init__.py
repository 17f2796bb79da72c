"""The pitfall catalogue: documented backprop bugs as small broken variants of the reference.

``CATALOGUE`` maps each id to a :class:`Pitfall` record; ``get_pitfall(id)`` looks one up.
numpy only, like the rest of ``reference``.
"""

from .catalogue import CATALOGUE, get_pitfall
from .fd_variants import FDResult, NaiveFD
from .record import Pitfall, trace
from .variants import DEFAULT_LR, grads_from_step, reference_sgd_step

__all__ = ["CATALOGUE", "DEFAULT_LR", "FDResult", "NaiveFD", "Pitfall", "get_pitfall",
           "grads_from_step", "reference_sgd_step", "trace"]
