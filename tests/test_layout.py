"""One import name: the distribution installs `crosscheck` only, and nothing in it imports the
repository's top-level folders under their bare names (one file, two module names, two states)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import crosscheck

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_only_crosscheck_is_importable_outside_the_checkout(tmp_path):
    for bare in ("reference", "oracles", "reports"):
        done = _python(f"import {bare}", tmp_path)
        assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, bare
    done = _python("import crosscheck, crosscheck.reference, crosscheck.oracles, crosscheck.reports; "
                   "print(crosscheck.verify.__name__, crosscheck.assert_backprop.__name__)", tmp_path)
    assert done.returncode == 0 and done.stdout.split() == ["verify", "assert_backprop"], done.stderr


def test_no_module_is_loaded_under_a_bare_folder_name():
    """Run from the checkout (where bare names would resolve): import every module of the
    package and the CLI, and check that none was loaded as `reference.*`, `oracles.*`..."""
    names = [m.name for m in pkgutil.walk_packages(crosscheck.__path__, "crosscheck.")]
    names += ["crosscheck.reference", "crosscheck.oracles", "crosscheck.reports"]
    code = ("import importlib, sys\n"
            f"for n in {names!r}: importlib.import_module(n)\n"
            "from crosscheck.oracles import get_oracle\n"
            "for o in ('torch', 'fd', 'complex-step'): get_oracle(o)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('reference', 'oracles', 'reports'))\n"
            "print(bad); sys.exit(bool(bad))")
    done = _python(code, ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_renderers_import_nothing_above_the_result_types():
    """reports/ renders: it may import the result types and formatting, never the engine's
    machinery, the diagnosis, the CLI or user-code handling."""
    allowed = {"crosscheck.engine.campaign": {"CampaignResult"}, "crosscheck.engine.check": {"CaseResult"},
               "crosscheck.engine.compare": {"format_index"}, "crosscheck.reference.sampling": {"Case"},
               # the operation records: how a reproduction script writes each op
               "crosscheck.reference.ops": {"ACTIVATION_OPS", "LOSS_OPS"}}
    for path in (ROOT / "reports").glob("*.py"):
        # the module's own imports, at any depth (a script template's text is not one)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                bad = [a.name for a in node.names if a.name.split(".")[0] in
                       ("crosscheck", "reference", "oracles", "torch", "tensorflow")]
                assert not bad, f"{path.name}, line {node.lineno}: import {', '.join(bad)}"
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crosscheck.") \
                    and not node.module.startswith("crosscheck.reports"):
                names = {a.name for a in node.names}
                assert names <= allowed.get(node.module, set()), \
                    f"{path.name}, line {node.lineno}: from {node.module} import {', '.join(names)}"
