"""Argument parsing shared by the subcommands: network options, oracle lists, usage errors."""

from __future__ import annotations

import argparse

from crosscheck.engine.campaign import CNN_FIELDS, CampaignOptions, network_options
from crosscheck.errors import UsageError
from crosscheck.options import OPTIONS, add_options, names_text
from crosscheck.oracles.base import ORACLE_NAMES
from crosscheck.reference.spec import CONVENTIONS

__all__ = ["OnelineParser", "add_network_options", "add_output_options", "campaign_options",
           "parse_oracles"]


class OnelineParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's default prints the whole usage block
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def add_network_options(p: argparse.ArgumentParser, *, networks: int) -> None:
    """The network options (crosscheck/options.py), shared by run and verify."""
    add_options(p, "network", group=p.add_argument_group("networks"), networks=networks)


def add_output_options(p: argparse.ArgumentParser) -> None:
    """--max-size, --oracles, --report and --shrink: shared by run and verify."""
    add_options(p, "run")


def parse_oracles(text: str) -> tuple[str, ...]:
    return names_text("oracle", ORACLE_NAMES)(text)


# The network flags that describe an MLP: a CNN campaign draws its own networks.
MLP_ONLY = {name: OPTIONS[name].flag for name in (
    "sizes", "loss", "activations", "hidden_activations", "output_activation", "targets",
    "max_depth", "max_width", "scale", "reduction", "l2_convention", "bias")}


def campaign_options(args, *, edges: bool = False) -> CampaignOptions:
    """The campaign the network flags describe; contradicting flags are a UsageError, and so
    is an MLP flag with ``--architecture cnn``."""
    if getattr(args, "cnn", None) is not None:
        if getattr(args, "architecture", None) == "mlp":
            raise UsageError("--cnn describes a CNN-style network: drop --architecture mlp")
        args.architecture = "cnn"
    if getattr(args, "architecture", None) == "cnn":
        given = [flag for name, flag in MLP_ONLY.items() if getattr(args, name, None) is not None]
        if given:
            takes = ", ".join(f"--{name}" for name in CNN_FIELDS)
            raise UsageError(f"{given[0]} describes MLP networks (--architecture mlp); "
                             f"--architecture cnn draws its own networks and takes {takes}")
        return CampaignOptions(architecture="cnn", networks=args.networks, seed=args.seed,
                               batch=args.batch, l2=args.l2, cnn=getattr(args, "cnn", None))
    return network_options(
        networks=args.networks, seed=args.seed, sizes=args.sizes, losses=args.loss,
        activations=getattr(args, "activations", None),
        hidden_activations=args.hidden_activations,
        output_activations=getattr(args, "output_activation", None),
        targets=getattr(args, "targets", None) or "any", l2=args.l2, batch=args.batch,
        max_depth=getattr(args, "max_depth", None) or 4,
        max_width=getattr(args, "max_width", None) or 32,
        scale=getattr(args, "scale", None), edges=edges,
        **{name: getattr(args, name) for name in CONVENTIONS  # None: not given
           if getattr(args, name, None) is not None},
    )
