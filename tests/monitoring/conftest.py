from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """Texts are asserted in English (the msgids)."""
