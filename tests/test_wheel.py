"""The distribution as users install it: a wheel built from this checkout, installed without
``-e`` into a fresh virtual environment, used from another directory.

An editable install finds every folder of the checkout whatever the package list says, so the
rest of the gate cannot see a module the wheel leaves out (crosscheck/layers/ once was: a
non-editable install could not ``import crosscheck``). The fresh environment gets the wheel
alone; its dependencies (numpy, torch, tensorflow) are borrowed from the gate's environment
through a ``.pth`` line, which puts them on the path without the gate's editable finder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the folders that install under crosscheck. (setup.py): each package directory in them
# must be in the wheel under that name
MAPPED = {"crosscheck": "crosscheck", "reference": "crosscheck/reference",
          "oracles": "crosscheck/oracles", "reports": "crosscheck/reports"}


def _run(args, cwd, timeout=600, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def _packages_in_checkout() -> set[str]:
    """Every package directory of the checkout, as the path it must have in the wheel."""
    found = set()
    for top, installed in MAPPED.items():
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top).as_posix()
            found.add(installed if rel == "." else f"{installed}/{rel}")
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel built from this checkout installed in it
    (its own console script `crosscheck`); returns the environment's directory."""
    work = tmp_path_factory.mktemp("wheel")
    # a copy of the checkout's tracked files: the build must not write build/ or *.egg-info
    # into the checkout that other tests (and xdist workers) read
    src = work / "src"
    files = _run(["git", "ls-files", "-z"], ROOT).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "-q", "-w", work / "dist", src], work)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "dist").glob("*.whl")
    env_dir = work / "env"
    # no pip of its own (ensurepip costs 3 s of CPU): the gate's pip installs into it, as
    # pip does into any interpreter it is pointed at (pip --python, pip >= 22.3)
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = _run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work)
    # the dependencies, from the gate's own environment (no editable finder comes with them:
    # a path line in a .pth file does not run the .pth files of the folder it adds)
    Path(site.stdout.strip(), "borrowed-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n")
    done = _run([sys.executable, "-m", "pip", "--python", py, "install", "--no-deps",
                 "--no-index", "-q", wheel], work)
    assert done.returncode == 0, done.stdout + done.stderr
    return env_dir


def test_the_wheel_holds_every_package_of_the_checkout(installed):
    (wheel,) = (installed.parent / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    in_wheel = {n.rsplit("/", 1)[0] for n in names if n.endswith("/__init__.py")}
    assert _packages_in_checkout() - in_wheel == set()
    assert "crosscheck/reports/schema/report.schema.json" in names or any(
        n.startswith("crosscheck/reports/schema/") and n.endswith(".json") for n in names)
    # one import name: nothing else lands in site-packages
    tops = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"crosscheck"}


def test_every_module_imports_from_the_installed_wheel(installed, tmp_path):
    code = ("import importlib, pkgutil, crosscheck\n"
            "names = [m.name for m in pkgutil.walk_packages(crosscheck.__path__, 'crosscheck.')]\n"
            "for n in names: importlib.import_module(n)\n"
            "print(crosscheck.__file__); print(len(names))")
    done = _run([installed / "bin" / "python", "-c", code], tmp_path)
    assert done.returncode == 0, done.stderr
    where, count = done.stdout.split()
    assert Path(where).is_relative_to(installed), where  # the wheel's copy, not the checkout
    assert int(count) >= 60


def test_the_installed_command_verifies_a_function(installed, tmp_path):
    crosscheck = installed / "bin" / "crosscheck"
    version = _run([crosscheck, "--version"], tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("crosscheck "), version.stderr
    shutil.copy(ROOT / "docs" / "examples" / "my_backprop.py", tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = _run([crosscheck, "verify", "my_backprop.py:loss_and_grads", "--loss", "mse",
                 "--networks", "1", "--seed", "1", "--report", "rep"], tmp_path, env=env)
    # the README's learner function, with its bias bug: a verdict, a named bug, a report
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bias-mean-vs-sum" in done.stdout
    assert (tmp_path / "rep" / "report.json").is_file()
