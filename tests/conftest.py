"""Test-wide options: manim's graphical-regression flags (--set_test, --show_diff) and hypothesis' profiles.

Hypothesis profiles (README, "Checking the mathematics"):
- ``ci`` (the default, and always under ``CI=true``): derandomized, so every run draws the same examples and
  ``make test`` cannot fail by chance; no example database; no deadline (a slow machine is not a failure).
- ``explore`` (``HYPOTHESIS_PROFILE=explore``, or ``make test-explore``): fresh random examples on every run, more
  of them, with the example database in ``.hypothesis/``, so a failure found once is replayed first next time;
  a failure also prints the ``@reproduce_failure`` blob that replays it anywhere.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

PROFILE_VARIABLE = "HYPOTHESIS_PROFILE"

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    # Timing is the one thing a derandomized run does not fix; every other health check still applies.
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(os.path.join(os.path.dirname(os.path.dirname(__file__)), ".hypothesis")),
    deadline=None,
    print_blob=True,
    max_examples=300,
)


def hypothesis_profile(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """The profile to load: ``ci`` under CI=true whatever else is set, else $HYPOTHESIS_PROFILE, else ``ci``."""
    if environ.get("CI", "").lower() == "true":
        return "ci"
    return environ.get(PROFILE_VARIABLE) or "ci"


settings.load_profile(hypothesis_profile())


def pytest_addoption(parser) -> None:
    parser.addoption("--set_test", action="store_true", default=False, help="(re)write graphical control data")
    parser.addoption("--show_diff", action="store_true", default=False, help="show diffs of failing frame tests")


def pytest_collection_modifyitems(items: list) -> None:
    """The tests marked ``slow`` first (in their own order): pytest-xdist's workers then share them from the start
    and finish on the quick ones, instead of one worker running the last long test alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_report_header(config) -> str:
    return f"hypothesis profile: {settings.get_current_profile_name()}"
