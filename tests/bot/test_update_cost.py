"""What one update costs the process, in the things a test can count: no worker threads for
finding a handler, one hand-off to SQLite's thread a statement."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.botapp import BotApp
from tests.factories import College


async def test_a_menu_and_a_press_are_handled_without_worker_threads(
    app: BotApp, college: College, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    threads: list[Any] = []
    real = asyncio.to_thread

    async def counted(func: Any, /, *args: Any, **kwargs: Any) -> Any:
        threads.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counted)
    await teacher.command("menu")
    assert "Choose an action" in teacher.last.text
    await teacher.click("📅 My lessons")
    assert any("Математика" in label for label in teacher.last.button_labels)
    # Every filter on the way (dozens of F.… checks) ran in the event loop.
    assert threads == []
