"""Gate configuration: hypothesis profiles, and a loud failure when a framework is missing."""

from __future__ import annotations

import importlib.util
import os

import pytest
from hypothesis import HealthCheck, settings

# TensorFlow is silent only if these are set before it is imported (in any xdist worker).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

_COMMON = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# ci: derandomized, so a red gate is reproducible by anyone with the same commit.
settings.register_profile("ci", max_examples=60, derandomize=True, **_COMMON)
# dev: fresh examples every run, remembered in .hypothesis/ when they fail.
settings.register_profile("dev", max_examples=40, **_COMMON)
# thorough: for a long local hunt, e.g. HYPOTHESIS_PROFILE=thorough pytest -n auto
settings.register_profile("thorough", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

REQUIRED_FRAMEWORKS = {"torch": "torch>=2.2,<2.14", "tensorflow": "tensorflow-cpu"}


def pytest_configure(config):
    """Byte-compile the package once, before any xdist worker starts. The gate starts hundreds
    of Python processes (each check's worker, the CLI, grading processes); where
    PYTHONDONTWRITEBYTECODE is set, as on some CI machines, each of them would otherwise
    compile every module of crosscheck from source again (about a tenth of the gate's CPU
    time, measured with py-spy)."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller did it
        return
    import compileall
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for folder in ("crosscheck", "reference", "oracles", "reports"):
        compileall.compile_dir(str(root / folder), quiet=2)


def pytest_sessionstart(session):
    """A skipped oracle would be a failure in disguise: refuse to run without every framework."""
    missing = [req for mod, req in REQUIRED_FRAMEWORKS.items() if importlib.util.find_spec(mod) is None]
    if missing:
        pytest.exit(
            "the gate needs every oracle, but these frameworks are not installed: "
            + ", ".join(missing) + ". Install with: pip install -e '.[test]'",
            returncode=3,
        )


@pytest.fixture(scope="session")
def oracle_cache():
    """One instance of each oracle per test process (TF keeps its traced functions)."""
    from crosscheck.oracles import get_oracle

    cache: dict = {}

    def get(name: str):
        if name not in cache:
            cache[name] = get_oracle(name)
        return cache[name]

    return get
