"""The pitfall catalogue: documented backprop bugs as small broken variants of the reference.

``CATALOGUE`` maps each id to a :class:`Pitfall` record; ``get_pitfall(id)`` looks one up.
numpy only. It sits next to the diagnosis that replays its variants.
"""

from crosscheck.diagnosis.catalogue import CATALOGUE, get_pitfall
from crosscheck.diagnosis.fd_variants import FDResult, NaiveFD
from crosscheck.diagnosis.record import Pitfall, trace
from crosscheck.diagnosis.variants import DEFAULT_LR, grads_from_step, reference_sgd_step

__all__ = ["CATALOGUE", "DEFAULT_LR", "FDResult", "NaiveFD", "Pitfall", "get_pitfall",
           "grads_from_step", "reference_sgd_step", "trace"]
