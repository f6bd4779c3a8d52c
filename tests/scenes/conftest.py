"""Fixtures for scene tests: a shared TeX cache so each formula is compiled once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tex_cache(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("tex"))
