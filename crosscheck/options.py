"""The options of ``crosscheck verify`` and ``crosscheck.verify``, declared once.

Each :class:`Option` says what one option is: its API keyword, its command-line flag, its
type, default and help, how a value is checked, and where it applies (``network``: the
network options ``crosscheck run`` shares; ``run``: the other options ``run`` shares;
``verify``: verify only; ``api``: keyword only; ``cli``: a flag of verify and verify-layer
with no keyword, such as ``--watch``). From :data:`OPTIONS` come

- the command line's flags (:func:`add_options`, used by crosscheck/cli),
- the API's checks of a keyword's value (:func:`check`, used by crosscheck/api.py),
- the reproduce line an ``AssertionError`` ends with (:func:`reproduce_line`),
- the table in docs/guide.md (:func:`options_table`; a test holds the two equal),
- the flag an error message names (:func:`flag`): code below the CLI words its errors with
  :func:`crosscheck.errors.option`, and the CLI writes each option as its flag.

``crosscheck.verify``'s signature spells the keywords out (a reader sees them, an editor
completes them); tests/test_options.py holds its defaults equal to the ones declared here.
"""

from __future__ import annotations

import argparse
import math
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from crosscheck.engine.campaign import ARCHITECTURES
from crosscheck.errors import UsageError, option
from crosscheck.oracles.base import DEFAULT_ORACLES, ORACLE_NAMES, VERIFY_ORACLES
from crosscheck.reference.spec import (
    ACTIVATIONS,
    DEFAULT_LOSSES,
    L2_CONVENTIONS,
    LOSSES,
    REDUCTIONS,
    TARGETS,
)
from crosscheck.subject.adapters import DTYPES, LAYOUTS, MIN_LR, MODES, ORDERS
from crosscheck.subject.inputs import ArraysGiven

__all__ = ["MAX_SIZE", "OPTIONS", "TABLE_END", "TABLE_START", "Option", "add_options", "check",
           "check_count", "check_int", "check_lr", "count", "flag", "names_text", "options_table",
           "positive_int", "reproduce_line"]

# The largest network, as parameters x batch, a campaign takes without being told otherwise
# (--max-size): 784-256-256-10 at batch 256 is 6.9e7. One float64 copy of such a network's
# activations or parameters is under a gigabyte; every oracle makes a few.
MAX_SIZE = 10**8

_UNSET = object()


@dataclass(frozen=True)
class Option:
    name: str  # the API keyword; errors name it so (crosscheck.errors.option)
    type: str  # what a value is, in words (the docs table)
    default: object  # the API's default (None: drawn at random, or no limit)
    help: str  # the command line's help and the docs table's description
    scope: str  # "network", "run", "verify", "api" or "cli" (see the module docstring)
    flag: str | None = None  # the command-line flag; None: a keyword only
    parse: Callable[[str], object] | None = None  # the flag's text -> value (argparse type)
    choices: tuple | None = None
    metavar: str | None = None
    cli_default: object = _UNSET  # the flag's default where it differs from the keyword's
    check: Callable[[object], object] | None = None  # the keyword's value, checked
    reproduce: bool = True  # whether the reproduce line repeats it
    # "store_false": a flag without a value (--no-bias) that sets the keyword to False
    action: str | None = None

    @property
    def shown_default(self) -> str:
        """The default as the docs table shows it."""
        if self.default is None:
            return "-"
        if isinstance(self.default, tuple):
            return ",".join(map(str, self.default))
        if self.name == "max_size":
            return f"{self.default:.0e}"
        if isinstance(self.default, bool) and self.flag:  # on | off
            return _text(self.default)
        return str(self.default)


# ---- checks: text on the command line (argparse types), values in the API --------------------

def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def count(text: str) -> int:
    """An argparse type: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a count >= 0, got {text!r}")
    return value


def _sizes_text(text: str) -> tuple[int, ...]:
    parts = text.replace(",", "-").split("-")
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{flag('sizes')} wants widths joined by '-', like 4-16-3, got {text!r}") from None
    if len(sizes) < 2 or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(
            f"{flag('sizes')} wants at least two positive widths (n_in-...-n_out), got {text!r}")
    return sizes


def _number_text(name: str, positive: bool):
    def parse(text: str) -> float:
        words = "a positive number" if positive else "a number >= 0"
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag(name)} wants {words}, got {text!r}") from None
        ok = 0 < value < math.inf if positive else (value >= 0 and value != math.inf)
        if not ok:
            raise argparse.ArgumentTypeError(f"{flag(name)} wants a finite number "
                                             f"{'> 0' if positive else '>= 0'}, got {text!r}")
        return value
    return parse


def names_text(kind: str, known: tuple[str, ...]):
    """An argparse type: a comma list of names from ``known``."""
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(n.strip() for n in text.split(",") if n.strip())
        unknown = [n for n in names if n not in known]
        if not names or unknown:
            raise argparse.ArgumentTypeError(
                f"unknown {kind} {', '.join(unknown) or repr(text)}; known: {', '.join(known)}")
        return names
    return parse


def check_int(name: str, value, low: int = 0, *, optional: bool = False):
    """``value`` of option ``name`` as an integer >= ``low`` (None too when ``optional``), or
    a :class:`UsageError` naming the option."""
    if optional and value is None:
        return None
    if value is None or isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise UsageError(f"{option(name)} wants an integer >= {low}, got {value!r}")
    return value


def _integer(name: str, low: int):
    return lambda value: check_int(name, value, low, optional=True)


def _number(name: str, positive: bool):
    def check_(v):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)
                              or not (0 <= v < math.inf) or (positive and v == 0)):
            raise UsageError(f"{option(name)} wants a finite number {'> 0' if positive else '>= 0'}"
                             f", got {v!r}")
        return None if v is None else float(v)
    return check_


def _names(kind: str, known: tuple[str, ...]):
    def check_(value):
        if value is None:
            return None
        names = (tuple(n.strip() for n in value.split(",")) if isinstance(value, str)
                 else tuple(value))
        unknown = [n for n in names if n not in known]
        if not names or unknown:
            raise UsageError(f"unknown {kind} {', '.join(map(repr, unknown)) or '(none given)'}; "
                             f"known: {', '.join(known)}")
        return names
    return check_


def _sizes(value) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        sizes = tuple(int(s) for s in value.split("-")) if isinstance(value, str) else tuple(value)
    except ValueError:
        sizes = ()
    if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
        raise UsageError(f"{option('sizes')} wants at least two positive widths such as 4-16-3, "
                         f"got {value!r}")
    return sizes


def _choice(name: str, known: tuple[str, ...], word: str = "choose from"):
    def check_(value):
        if value is not None and value not in known:
            raise UsageError(f"unknown {name} {value!r}; {word} {', '.join(known)}")
        return value
    return check_


def check_lr(value, shown=None, name: str = "lr") -> float:
    """A learning rate for ``mode="update"``: finite and >= :data:`MIN_LR` (``shown``: the
    text it came from, for the message; ``name``: the option, ``lr`` or ``fixed_lr``)."""
    ok = (isinstance(value, int | float) and not isinstance(value, bool) and value >= MIN_LR
          and value < math.inf)
    if not ok:
        raise UsageError(f"{option(name)} wants a finite number >= {MIN_LR:g}, got "
                         f"{value if shown is None else shown!r} (a smaller step drowns the "
                         f"inferred gradient in float64 rounding)")
    return float(value)


# --edge-networks's words and the values they stand for (the API takes the bool)
_ON_OFF = {"on": True, "off": False}


def _on_off_text(name: str):
    def parse(text: str) -> bool:
        if text not in _ON_OFF:
            raise argparse.ArgumentTypeError(f"{flag(name)} wants on or off, got {text!r}")
        return _ON_OFF[text]
    return parse


def _bool(name: str):
    def check_(value):
        if not isinstance(value, bool):
            raise UsageError(f"{option(name)} wants True or False, got {value!r}")
        return value
    return check_


def _fixed_lr(value):
    return None if value is None else check_lr(value, name="fixed_lr")


def _fixed_lr_text(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    try:
        return check_lr(value, shown=text, name="fixed_lr")
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.worded(flag)) from None


def _inputs(value):
    if (value is not None and not isinstance(value, str | bytes | ArraysGiven)
            and not hasattr(value, "__fspath__")):
        raise UsageError(f"{option('inputs')} wants the path of an .npz file, got {value!r}")
    return value


def _cnn(value):
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{option('cnn')} wants the network in words, e.g. '3x8x8 "
                         f"conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(10)', got {value!r}")
    return value


def _positive(name: str):
    def check_(v):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise UsageError(f"{option(name)} wants a positive integer, got {v!r}")
        return v
    return check_


def _bool(name: str):
    def check_(value):
        if not isinstance(value, bool):
            raise UsageError(f"{option(name)} wants True or False, got {value!r}")
        return value
    return check_


def check_count(name: str, value) -> int:
    """``value`` of option ``name`` as a count >= 0 (a :class:`UsageError` otherwise)."""
    if value is None or isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"{option(name)} wants a count >= 0, got {value!r}")
    return value


# ---- the table ---------------------------------------------------------------------------------

_ACTS = names_text("activation", ACTIVATIONS)

OPTIONS: dict[str, Option] = {o.name: o for o in (
    Option("architecture", "mlp | cnn", None, scope="network", flag="--architecture",
           choices=ARCHITECTURES, check=_choice("architecture", ARCHITECTURES, "known:"),
           help="mlp (default): the networks the options below describe; cnn: CNN-style "
                "networks (conv - relu - pool - ... - affine, batchnorm and dropout optional, "
                "softmax or SVM loss), random or one fixed by --cnn, which take --networks, "
                "--seed, --batch and --l2"),
    Option("cnn", "text", None, scope="network", flag="--cnn", metavar="NETWORK", check=_cnn,
           help="fix the CNN (implies --architecture cnn), in the words the summary prints: "
                "'3x8x8 conv(4,3x3,s1,p1)-relu-max(2,s2)-affine(16)-relu-affine(10) "
                "softmax_cross_entropy l2=0.1'; a loss or l2 left out is drawn per network"),
    Option("networks", "int >= 1", 20, scope="network", flag="--networks", parse=positive_int,
           check=_integer("networks", 1),
           help="how many random networks to check (default 20; run: 200)"),
    Option("seed", "int >= 0", 0, scope="network", flag="--seed", parse=int,
           check=_integer("seed", 0), help="campaign seed; same seed, same networks"),
    Option("sizes", "widths, e.g. 4-16-3", None, scope="network", flag="--sizes",
           parse=_sizes_text, check=_sizes, help="fix the layer widths, e.g. 4-16-3"),
    Option("loss", "name or list", None, scope="network", flag="--loss",
           parse=names_text("loss", LOSSES), check=_names("loss", LOSSES),
           help=f"loss, or a comma list to draw from ({', '.join(LOSSES)}; default: "
                f"{', '.join(DEFAULT_LOSSES)})"),
    Option("activations", "name or list", None, scope="network", flag="--activations",
           parse=_ACTS, metavar="LIST", check=_names("activation", ACTIVATIONS),
           help="every layer's activation, the output's included, e.g. relu,relu,identity "
                "(fixes the depth); one name means every layer"),
    Option("hidden_activations", "name or list", None, scope="network",
           flag="--hidden-activations", parse=_ACTS, check=_names("activation", ACTIVATIONS),
           help=f"activations hidden layers draw from ({', '.join(ACTIVATIONS)})"),
    Option("output_activation", "name or list", None, scope="network",
           flag="--output-activation", parse=_ACTS, metavar="NAME[,NAME]",
           check=_names("activation", ACTIVATIONS),
           help="the output layer's activation, or a comma list to draw from (default: any; "
                "always identity under the logit losses)"),
    Option("targets", " | ".join(TARGETS), "any", scope="network", flag="--targets",
           choices=TARGETS, cli_default=None, check=_choice("targets", TARGETS, "known:"),
           help="how targets Y are drawn: onehot rows, soft rows, labels (int64 class indices "
                "of shape (batch,), softmax_cross_entropy only), or any (default: what suits "
                "each loss)"),
    Option("l2", "number >= 0", None, scope="network", flag="--l2",
           parse=_number_text("l2", positive=False), check=_number("l2", positive=False),
           help="fix lambda of the L2 penalty (default: 0 or random)"),
    Option("batch", "int >= 1", None, scope="network", flag="--batch", parse=positive_int,
           check=_integer("batch", 1), help="fix the batch size (default: 1-16)"),
    Option("max_depth", "int >= 1", 4, scope="network", flag="--max-depth", parse=positive_int,
           cli_default=None, check=_integer("max_depth", 1),
           help="deepest random network, in affine layers (default 4)"),
    Option("max_width", "int >= 1", 32, scope="network", flag="--max-width", parse=positive_int,
           cli_default=None, check=_integer("max_width", 1),
           help="widest random layer (default 32)"),
    Option("scale", "number > 0", None, scope="network", flag="--scale",
           parse=_number_text("scale", positive=True), check=_number("scale", positive=True),
           help="fix the init scale; 4-8 saturates sigmoid/tanh units and makes large logits "
                "(default: drawn, mostly 1)"),
    # the conventions that change the mathematics: NetworkSpec's fields (reference/spec.py)
    Option("reduction", " | ".join(REDUCTIONS), REDUCTIONS[0], scope="network",
           flag="--reduction", choices=REDUCTIONS, cli_default=None,
           check=_choice("reduction", REDUCTIONS, "known:"),
           help="mean: the loss and its gradients averaged over the batch (default); sum: summed "
                "over the batch, batch x the mean objective (penalty then lambda/2 sum W^2)"),
    Option("l2_convention", " | ".join(L2_CONVENTIONS), L2_CONVENTIONS[0], scope="network",
           flag="--l2-convention", choices=L2_CONVENTIONS, cli_default=None,
           check=_choice("l2 convention", L2_CONVENTIONS, "known:"),
           help="batch: the penalty lambda/(2 batch) sum W^2 beside a mean loss (default); "
                "plain: lambda/2 sum W^2, CS231n's 0.5*reg*sum(W*W), with no division by the "
                "batch"),
    Option("bias", "bool", True, scope="network", flag="--no-bias", action="store_false",
           cli_default=None,
           check=_bool("bias"),
           help="networks without biases: params and grads hold W1..WL only, a_l = "
                "act_l(a_{l-1} @ W_l) (API: bias=False; layout xw only)"),
    Option("max_size", "int >= 1", MAX_SIZE, scope="run", flag="--max-size", parse=int,
           metavar="N", check=_positive("max_size"),
           help=f"refuse networks above N parameters x batch (default {MAX_SIZE:.0e})"),
    Option("oracles", "names", VERIFY_ORACLES, scope="run", flag="--oracles",
           parse=names_text("oracle", ORACLE_NAMES), check=_names("oracle", ORACLE_NAMES),
           help=f"comma list from {','.join(ORACLE_NAMES)} (default: {','.join(VERIFY_ORACLES)} "
                f"for verify, {','.join(DEFAULT_ORACLES)} for run)"),
    Option("report", "directory", None, scope="run", flag="--report", metavar="DIR",
           reproduce=False,
           help="write report.json, report.md, report.html and junit.xml into DIR"),
    Option("shrink", "int >= 0", 5, scope="run", flag="--shrink", parse=count, metavar="K",
           reproduce=False, check=lambda value: check_count("shrink", value),
           help="shrink the K worst failing cases to a smallest failing network with a "
                "reproduction script (default 5; 0 = off)"),
    Option("layout", " | ".join(LAYOUTS), "xw", scope="verify", flag="--layout",
           choices=LAYOUTS, check=_choice("layout", LAYOUTS),
           help="xw: W_l (in, out), b_l (out,) (default); theta: Theta_l (out, in + 1) with "
                "the bias as column 0; theta-unrolled: one 1-D vector of the Theta_l flattened "
                "row-major, returns (loss, grad)"),
    Option("mode", " | ".join(MODES), "grads", scope="verify", flag="--mode", choices=MODES,
           check=_choice("mode", MODES),
           help="grads: f(params, X, Y, spec) -> (loss, grads) (default); update: "
                "f(params, X, Y, spec, lr) -> new_params, one SGD step"),
    Option("lr", f"number >= {MIN_LR:g}", 0.1, scope="verify", flag="--lr", metavar="LR",
           cli_default=None, check=check_lr,
           help=f"learning rate for --mode update (default 0.1; >= {MIN_LR:g}); also checked "
                f"at 2 * LR"),
    Option("dtype", " | ".join(DTYPES), "float64", scope="verify", flag="--dtype",
           choices=DTYPES, check=_choice("dtype", DTYPES),
           help="float32: your function gets float32 arrays and returns float32 ones, judged "
                "with tolerances derived for float32 rounding (default float64)"),
    Option("edge_networks", "on | off", True, scope="verify", flag="--edge-networks",
           parse=_on_off_text("edge_networks"), metavar="on|off", check=_bool("edge_networks"),
           help="on (default): every 5th network from the 4th on is moved to an edge where "
                "learners' code breaks: ReLU ties (zero input rows, zero first-layer bias) or "
                "large logits (the last layer x 1000: a network's largest |logit| is 270 to "
                "29,000 on 90% of them, median 2,100), where a loss without its stable form "
                "overflows; off: ordinary random networks only (MLPs; a CNN campaign draws no "
                "edge networks)"),
    Option("fixed_lr", f"number >= {MIN_LR:g}", None, scope="verify", flag="--fixed-lr",
           metavar="LR", parse=_fixed_lr_text, check=_fixed_lr,
           help="an SGD step with its step size LR built in, f(params, X, Y, spec) -> "
                "new_params (implies --mode update): called once per network, the gradient "
                "inferred as (before - after) / LR, no 2 * LR probe"),
    Option("unrolled_order", " | ".join(ORDERS), "C", scope="verify", flag="--unrolled-order",
           choices=ORDERS, check=_choice("unrolled order", ORDERS),
           help="how --layout theta-unrolled flattens each Theta_l: C row-major (default), F "
                "column-major (Octave's Theta(:), numpy's order='F')"),
    Option("inputs", "file.npz", None, scope="verify", flag="--inputs", metavar="FILE.npz",
           check=_inputs,
           help="check your function once, at your own arrays: X, Y and the parameters in "
                "your layout (W1, b1, ... | Theta1, ... | nn_params); the sizes come from "
                "them, --activations (or --hidden-activations and --output-activation), "
                "--loss and --l2 (default 0) say the rest (API: check_at)"),
    Option("timeout", "seconds", 10.0, scope="verify", flag="--timeout", metavar="SECONDS",
           cli_default="10",
           help="stop a call of your function, or the import of its module, after this long: "
                "its process is killed (default 10; 0.01 to 86400; API: None, no limit)"),
    Option("memory_limit", "bytes or text", None, scope="verify", flag="--memory-limit",
           metavar="SIZE",
           help="address space of the process your function runs in, e.g. 4G or 512M "
                "(default half this machine's memory)"),
    Option("strict", "bool", False, scope="verify", flag="--strict", action="store_true",
           check=_bool("strict"),
           help="fail a difference that is only a subgradient convention at an exact kink "
                "(ReLU'(0) = 1 where the frameworks use 0), which by default passes with a "
                "warning"),
    Option("watch", "bool", False, scope="cli", flag="--watch", action="store_true",
           reproduce=False,
           help="keep the frameworks loaded and check again each time a .py file in your "
                "function's folder is saved, saying what changed (fixed, still failing, newly "
                "failing); Ctrl-C stops, with the last verdict's exit code"),
    Option("rtol", "number >= 0", None, scope="api",
           help="replaces the tolerance table's relative tolerance"),
    Option("atol", "number >= 0", None, scope="api",
           help="replaces the tolerance table's absolute tolerance"),
    Option("tolerance_scale", "number > 0", 1.0, scope="api",
           help="multiplies the tolerance table's tolerances (at most 1e6)"),
    Option("in_process", "bool", False, scope="api", reproduce=False,
           help="run a function the worker can neither import nor receive by value in this "
                "process, without the worker's limits (the result says isolation was off)"),
)}


def flag(name: str, value: str | None = None) -> str:
    """Option ``name`` as the command line writes it: its flag (``--flag value``); a name the
    table does not hold (verify-layer's ``cases``) as ``--name``."""
    declared = OPTIONS.get(name)
    text = declared.flag if declared and declared.flag else "--" + name.replace("_", "-")
    if declared and declared.action:  # a flag without a value (--no-bias)
        return text
    return text if value is None else f"{text} {value}"


def check(name: str, value):
    """``value`` of keyword ``name``, checked as the table says (a :class:`UsageError` naming
    it otherwise); normalised where the check does (text lists -> tuples)."""
    declared = OPTIONS[name]
    return declared.check(value) if declared.check else value


def add_options(parser, scope: str, *, group=None, networks: int | None = None) -> None:
    """The flags of the options of ``scope`` on an argparse ``parser`` (or its ``group``).
    ``networks``: the default count (run checks more networks than verify)."""
    target = group if group is not None else parser
    for o in OPTIONS.values():
        if o.scope != scope or o.flag is None:
            continue
        default = o.default if o.cli_default is _UNSET else o.cli_default
        help_ = o.help
        if o.name == "networks" and networks is not None:
            default, help_ = networks, f"how many random networks to check (default {networks})"
        # argparse formats help with %: a literal one ("90% of them") must be doubled
        kwargs = {"default": default, "help": help_.replace("%", "%%")}
        if o.action is not None:
            kwargs.update(action=o.action, dest=o.name)
        if o.parse is not None:
            kwargs["type"] = o.parse
        if o.choices is not None:
            kwargs["choices"] = o.choices
        if o.metavar is not None:
            kwargs["metavar"] = o.metavar
        target.add_argument(o.flag, **kwargs)


def _text(value) -> str:
    if isinstance(value, bool):  # a switch's word on the command line
        return next(word for word, v in _ON_OFF.items() if v is value)
    if isinstance(value, list | tuple):
        return ("-" if value and isinstance(value[0], int) else ",").join(map(str, value))
    return shlex.quote(str(value))


def reproduce_line(target: str, options: dict) -> str:
    """``crosscheck verify TARGET --flag value ...``: the command that runs again what the
    keywords ``options`` (in the order given) asked for."""
    def words(o: Option, v) -> str:  # a flag without a value stands alone, when it is set
        return o.flag if o.action else f"{o.flag} {_text(v)}"

    flags = " ".join(words(OPTIONS[k], v) for k, v in options.items()
                     if k in OPTIONS and OPTIONS[k].flag and OPTIONS[k].reproduce
                     and v is not None and not (OPTIONS[k].action and v == OPTIONS[k].default))
    return f"crosscheck verify {target} {flags}".rstrip()


_SCOPES = {"network": "run, verify", "run": "run, verify", "verify": "verify", "api": "API only",
           "cli": "verify, verify-layer (command line only)"}

# where the table sits in docs/guide.md
TABLE_START = "<!-- options table: generated by crosscheck.options.options_table() -->"
TABLE_END = "<!-- end of the options table -->"


def options_table() -> str:
    """The Markdown table of every option, as docs/guide.md shows it."""
    rows = ["| keyword | flag | type | default | commands | what it does |",
            "|---|---|---|---|---|---|"]
    for o in OPTIONS.values():
        cells = [f"`{o.name}`", f"`{o.flag}`" if o.flag else "-", o.type, o.shown_default,
                 _SCOPES[o.scope], o.help]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"
