from __future__ import annotations

from collections.abc import Iterator

import pytest

from keyboards.journal import grid_link


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """The texts are asserted in English."""


@pytest.fixture(autouse=True)
def _forget_the_grid_address() -> Iterator[None]:
    """A dispatcher made with WEBAPP_URL sets the lesson card's grid address for the process."""
    yield
    grid_link.url = None
