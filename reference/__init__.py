"""The numpy reference: a minimal, readable, hand-written backprop for MLPs and CNN-style
networks (numpy only)."""

from .cnn_network import cnn_loss_and_grads
from .cnn_params import check_cnn_inputs, init_cnn_params
from .cnn_sampling import random_cnn_case
from .cnn_spec import CNN_LOSSES, CNNSpec
from .network import forward, loss_and_grads
from .ops import ACTIVATION_OPS, LOSS_OPS
from .params import check_inputs, init_params
from .sampling import Case, random_batch, random_case, random_spec
from .spec import (
    ACTIVATIONS,
    DEFAULT_ACTIVATIONS,
    DEFAULT_LOSSES,
    L2_CONVENTIONS,
    LABEL_LOSSES,
    LOGIT_LOSSES,
    LOSSES,
    REDUCTIONS,
    TARGETS,
    NetworkSpec,
)

__all__ = [
    "ACTIVATIONS",
    "ACTIVATION_OPS",
    "CNN_LOSSES",
    "CNNSpec",
    "DEFAULT_ACTIVATIONS",
    "DEFAULT_LOSSES",
    "L2_CONVENTIONS",
    "LABEL_LOSSES",
    "LOGIT_LOSSES",
    "LOSSES",
    "LOSS_OPS",
    "REDUCTIONS",
    "TARGETS",
    "Case",
    "NetworkSpec",
    "check_cnn_inputs",
    "check_inputs",
    "cnn_loss_and_grads",
    "forward",
    "init_cnn_params",
    "init_params",
    "loss_and_grads",
    "random_batch",
    "random_case",
    "random_cnn_case",
    "random_spec",
]
