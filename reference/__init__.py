"""The numpy reference: a minimal, readable, hand-written backprop for MLPs (numpy only)."""

from .network import forward, loss_and_grads
from .params import check_inputs, init_params
from .sampling import Case, random_batch, random_case, random_spec
from .spec import ACTIVATIONS, DEFAULT_LOSSES, LABEL_LOSSES, LOGIT_LOSSES, LOSSES, TARGETS, NetworkSpec

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_LOSSES",
    "LABEL_LOSSES",
    "LOGIT_LOSSES",
    "LOSSES",
    "TARGETS",
    "Case",
    "NetworkSpec",
    "check_inputs",
    "forward",
    "init_params",
    "loss_and_grads",
    "random_batch",
    "random_case",
    "random_spec",
]
