"""Package discovery only; everything else about the distribution is in pyproject.toml.

One import name, `crosscheck`: the repository's top-level folders reference/, oracles/ and
reports/ install as crosscheck.reference, crosscheck.oracles and crosscheck.reports, so no
generic name lands in site-packages. Packages are found, never listed: a new sub-package of
any of them is in the wheel without anyone remembering to add it (tests/test_wheel.py).
"""

from setuptools import find_packages, setup

MAPPED = ("reference", "oracles", "reports")  # top-level folders installed under crosscheck.

packages = find_packages(include=["crosscheck", "crosscheck.*"])
package_dir = {}
for top in MAPPED:
    package_dir[f"crosscheck.{top}"] = top
    packages += [f"crosscheck.{top}"] + [f"crosscheck.{top}.{sub}" for sub in find_packages(where=top)]

setup(packages=packages, package_dir=package_dir)
