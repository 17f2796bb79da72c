"""Argument parsing shared by the subcommands: network options, oracle lists, usage errors."""

from __future__ import annotations

import argparse

from crosscheck.engine.campaign import ARCHITECTURES, CNN_FIELDS, CampaignOptions, network_options
from crosscheck.errors import UsageError
from crosscheck.oracles.base import DEFAULT_ORACLES, ORACLE_NAMES
from crosscheck.reference.spec import ACTIVATIONS, DEFAULT_LOSSES, LOSSES, TARGETS

__all__ = ["OnelineParser", "add_network_options", "add_output_options", "campaign_options",
           "parse_oracles"]


class OnelineParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's default prints the whole usage block
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _sizes(text: str) -> tuple[int, ...]:
    parts = text.replace(",", "-").split("-")
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--sizes wants widths joined by '-', like 4-16-3, got {text!r}") from None
    if len(sizes) < 2 or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(
            f"--sizes wants at least two positive widths (n_in-...-n_out), got {text!r}")
    return sizes


def _l2(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--l2 wants a number >= 0, got {text!r}") from None
    if not (value >= 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"--l2 wants a finite number >= 0, got {text!r}")
    return value


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--scale wants a positive number, got {text!r}") from None
    if not (0 < value < float("inf")):
        raise argparse.ArgumentTypeError(f"--scale wants a finite number > 0, got {text!r}")
    return value


def _names(kind: str, known: tuple[str, ...]):
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(n.strip() for n in text.split(",") if n.strip())
        unknown = [n for n in names if n not in known]
        if not names or unknown:
            raise argparse.ArgumentTypeError(
                f"unknown {kind} {', '.join(unknown) or repr(text)}; known: {', '.join(known)}")
        return names
    return parse


def add_network_options(p: argparse.ArgumentParser, *, networks: int) -> None:
    g = p.add_argument_group("networks")
    g.add_argument("--architecture", choices=ARCHITECTURES, default=None,
                   help="mlp (default): the networks the options below describe; cnn: "
                        "CNN-style networks (conv - relu - pool - ... - affine, batchnorm and "
                        "dropout optional, softmax or SVM loss), random or one fixed by --cnn, "
                        "which take --networks, --seed, --batch and --l2")
    g.add_argument("--cnn", metavar="NETWORK",
                   help="fix the CNN (implies --architecture cnn), in the words the summary "
                        "prints: '3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(16)-relu-"
                        "affine(10) softmax_cross_entropy l2=0.1'; a loss or l2 left out is "
                        "drawn per network")
    g.add_argument("--networks", type=_positive_int, default=networks,
                   help=f"how many random networks to check (default {networks})")
    g.add_argument("--seed", type=int, default=0, help="campaign seed; same seed, same networks")
    g.add_argument("--sizes", type=_sizes, help="fix the layer widths, e.g. 4-16-3")
    g.add_argument("--loss", type=_names("loss", LOSSES),
                   help=f"loss, or a comma list to draw from ({', '.join(LOSSES)}; default: "
                        f"{', '.join(DEFAULT_LOSSES)})")
    g.add_argument("--activations", type=_names("activation", ACTIVATIONS), metavar="LIST",
                   help="every layer's activation, the output's included, e.g. "
                        "relu,relu,identity (fixes the depth); one name means every layer")
    g.add_argument("--hidden-activations", type=_names("activation", ACTIVATIONS),
                   help=f"activations hidden layers draw from ({', '.join(ACTIVATIONS)})")
    g.add_argument("--output-activation", type=_names("activation", ACTIVATIONS),
                   metavar="NAME[,NAME]",
                   help="the output layer's activation, or a comma list to draw from "
                        "(default: any; always identity under the logit losses)")
    g.add_argument("--targets", choices=TARGETS,
                   help="how targets Y are drawn: onehot rows, soft rows, labels (int64 class "
                        "indices of shape (batch,), softmax_cross_entropy only), or any "
                        "(default: what suits each loss)")
    g.add_argument("--l2", type=_l2, help="fix lambda of the L2 penalty (default: 0 or random)")
    g.add_argument("--batch", type=_positive_int, help="fix the batch size (default: 1-16)")
    g.add_argument("--max-depth", type=_positive_int,
                   help="deepest random network, in affine layers (default 4)")
    g.add_argument("--max-width", type=_positive_int,
                   help="widest random layer (default 32)")
    g.add_argument("--scale", type=_scale,
                   help="fix the init scale; 4-8 saturates sigmoid/tanh units and makes large "
                        "logits (default: drawn, mostly 1)")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a count >= 0, got {text!r}")
    return value


def add_output_options(p: argparse.ArgumentParser) -> None:
    """--oracles, --report and --shrink: shared by run and verify."""
    p.add_argument("--oracles", type=parse_oracles, default=DEFAULT_ORACLES,
                   help=f"comma list from {','.join(ORACLE_NAMES)} "
                        f"(default: {','.join(DEFAULT_ORACLES)})")
    p.add_argument("--report", metavar="DIR",
                   help="write report.json, report.md, report.html and junit.xml into DIR")
    p.add_argument("--shrink", type=_count, default=5, metavar="K",
                   help="shrink the K worst failing cases to a smallest failing network with a "
                        "reproduction script (default 5; 0 = off)")


def parse_oracles(text: str) -> tuple[str, ...]:
    return _names("oracle", ORACLE_NAMES)(text)


# The network flags that describe an MLP: a CNN campaign draws its own networks.
MLP_ONLY = {"sizes": "--sizes", "loss": "--loss", "activations": "--activations",
            "hidden_activations": "--hidden-activations",
            "output_activation": "--output-activation", "targets": "--targets",
            "max_depth": "--max-depth", "max_width": "--max-width", "scale": "--scale"}


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
    )
