"""What one update costs the process, in the things a test can count: no worker threads for
finding a handler, one hand-off to SQLite's thread a statement."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event

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


async def test_the_conversation_state_comes_with_the_first_statement(
    app: BotApp, college: College
) -> None:
    """The redelivery check and the chat's conversation state are one statement; a state set
    by the update is what the next update finds."""
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    engine = app.session_factory.kw["bind"].sync_engine
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        await teacher.command("menu")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    reads = [s for s in statements if "conversation_states" in s and s.startswith("SELECT")]
    assert len(reads) == 1
    assert "processed_updates" in reads[0]
    assert "Choose an action" in teacher.last.text
