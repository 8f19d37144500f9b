"""Tests here read English (the msgids); `college` and `settings` come from tests/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """Every test of this folder asserts English texts."""
