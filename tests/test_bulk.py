"""The collector paused for monitoring's bulk building is given back as it was."""

from __future__ import annotations

import gc

import pytest

from core.bulk import no_collection


def test_paused_then_restored_even_on_error() -> None:
    assert gc.isenabled()
    with no_collection():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), no_collection():
        raise ValueError
    assert gc.isenabled()


def test_left_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with no_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
