"""One declaration of every option of verify (crosscheck/options.py): the CLI's flags, the
API's keywords and checks, the reproduce line and the docs table all come from it."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import crosscheck
from crosscheck.cli.main import build_parser
from crosscheck.errors import UsageError, option
from crosscheck.options import (
    OPTIONS,
    TABLE_END,
    TABLE_START,
    check,
    flag,
    options_table,
    reproduce_line,
)

ROOT = Path(__file__).resolve().parents[1]


def _subparser(name: str):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices[name]


def test_the_guide_shows_the_table_the_schema_generates():
    text = (ROOT / "docs" / "guide.md").read_text()
    shown = text.split(TABLE_START + "\n", 1)[1].split(TABLE_END, 1)[0]
    assert shown == options_table()


def test_verify_takes_every_declared_keyword_with_its_default():
    params = inspect.signature(crosscheck.verify).parameters
    keywords = {n: p.default for n, p in params.items() if p.kind is p.KEYWORD_ONLY}
    assert keywords == {name: o.default for name, o in OPTIONS.items() if o.scope != "cli"}


@pytest.mark.parametrize("command, scopes", [("verify", ("network", "run", "verify", "cli")),
                                             ("run", ("network", "run"))])
def test_the_command_line_has_every_declared_flag(command, scopes):
    actions = {a.dest: a for a in _subparser(command)._actions if a.option_strings}
    declared = {n: o for n, o in OPTIONS.items() if o.scope in scopes}
    assert {n: o.flag for n, o in declared.items()} == {
        n: actions[n].option_strings[0] for n in declared}
    assert set(actions) - set(declared) == {"help"}
    for name, o in declared.items():
        # argparse's help is the declared text with a literal % doubled
        assert actions[name].choices == o.choices and actions[name].help == (
            o.help.replace("%", "%%") if name != "networks" else actions[name].help)


def test_the_reproduce_line_writes_the_flags_of_the_keywords_given():
    line = reproduce_line("/a/f.py:g", {"sizes": (4, 3), "hidden_activations": ("relu", "tanh"),
                                        "l2": 0.0, "shrink": 1, "rtol": 1e-3, "batch": None,
                                        "cnn": "3x8x8 conv(4,3x3,s1,p1)-affine(10)"})
    assert line == ("crosscheck verify /a/f.py:g --sizes 4-3 --hidden-activations relu,tanh "
                    "--l2 0.0 --cnn '3x8x8 conv(4,3x3,s1,p1)-affine(10)'")


def test_an_error_names_the_keyword_in_the_api_and_the_flag_on_the_command_line():
    error = UsageError(f"{option('max_depth')} and {option('mode', 'update')} and "
                       f"{option('l2', '1e3')} conflict")
    assert str(error) == 'max_depth and mode="update" and l2=1e3 conflict'
    assert error.worded(flag) == "--max-depth and --mode update and --l2 1e3 conflict"
    words = "^activations sets every layer.s activation: drop hidden_activations"
    with pytest.raises(UsageError, match=words) as info:
        crosscheck.verify(lambda p, X, Y, s: None, activations="relu", hidden_activations="tanh")
    assert info.value.worded(flag).startswith("--activations sets every layer's activation: "
                                              "drop --hidden-activations and --output-activation")


@pytest.mark.parametrize("name, value, words", [
    ("networks", 0, "networks wants an integer >= 1, got 0"),
    ("scale", 0.0, "scale wants a finite number > 0, got 0.0"),
    ("loss", "mse,hinge", "unknown loss 'hinge'"),
    ("layout", "columns", "unknown layout 'columns'; choose from xw, theta, theta-unrolled"),
])
def test_the_api_checks_each_keyword_as_declared(name, value, words):
    with pytest.raises(UsageError, match=words):
        check(name, value)


def test_no_usage_error_below_the_cli_is_worded_with_a_flag():
    sources = [*(ROOT / "crosscheck" / "engine").glob("*.py"), ROOT / "crosscheck" / "api.py",
               ROOT / "crosscheck" / "runner.py", ROOT / "crosscheck" / "layers" / "verify.py"]
    worded = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            func = getattr(node, "func", None)
            if getattr(func, "id", getattr(func, "attr", None)) != "UsageError":
                continue
            worded += [f"{path.name}:{node.lineno}" for sub in ast.walk(node)
                       if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
                       and "--" in sub.value]
    assert worded == []


@pytest.mark.parametrize("command", ["run", "verify", "verify-layer", "pitfalls", "explain",
                                     "grade", "merge"])
def test_every_command_prints_its_help(command, capsys):
    """``--help`` is a learner's first command: argparse formats help text with %, so a
    literal one in an option's help ("90% of them") once made verify --help a TypeError."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    if command not in sub.choices:
        pytest.fail(f"no subcommand {command!r}: {sorted(sub.choices)}")
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args([command, "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0 and f"usage: crosscheck {command}" in out
    for o in OPTIONS.values():
        if o.flag and o.scope in {"verify": ("network", "run", "verify", "cli"),
                                  "run": ("network", "run")}.get(command, ()):
            assert o.flag in out, (command, o.flag)
