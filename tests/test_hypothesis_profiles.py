"""The hypothesis profiles (tests/conftest.py): `make test` and CI draw the same examples on every run; a developer
who asks for exploration gets fresh ones and an example database that replays a failure."""

from __future__ import annotations

from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.conftest import hypothesis_profile


def test_ci_is_the_default_and_wins_under_ci_true():
    assert hypothesis_profile({}) == "ci"
    assert hypothesis_profile({"HYPOTHESIS_PROFILE": "explore"}) == "explore"
    assert hypothesis_profile({"CI": "true", "HYPOTHESIS_PROFILE": "explore"}) == "ci", "CI is always reproducible"
    assert hypothesis_profile({"CI": "TRUE"}) == "ci"


def test_the_ci_profile_is_derandomized_with_no_database_and_no_deadline():
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None and ci.deadline is None
    assert ci.print_blob


def test_the_explore_profile_draws_afresh_and_keeps_its_failures():
    explore = settings.get_profile("explore")
    assert not explore.derandomize
    assert isinstance(explore.database, DirectoryBasedExampleDatabase)
    assert explore.print_blob and explore.max_examples > settings.get_profile("ci").max_examples


def test_this_run_loaded_the_profile_its_environment_asks_for():
    import os

    assert settings.get_current_profile_name() == hypothesis_profile(os.environ)
