"""Test-wide options: manim's graphical-regression flags (--set_test, --show_diff)."""

from __future__ import annotations


def pytest_addoption(parser) -> None:
    parser.addoption("--set_test", action="store_true", default=False, help="(re)write graphical control data")
    parser.addoption("--show_diff", action="store_true", default=False, help="show diffs of failing frame tests")
