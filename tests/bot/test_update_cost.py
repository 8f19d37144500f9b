"""What one update costs the process, in the things a test can count: no worker threads for
finding a handler, one hand-off to SQLite's thread a statement."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram.types import BufferedInputFile
from sqlalchemy import event

from keyboards.menu import home_button
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
    """The redelivery check, the chat's conversation state and the person's account are one
    statement; a state set by the update is what the next update finds."""
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
    # The person's account and roles come with it: no statement of their own.
    assert "telegram_accounts" in reads[0] and "memberships" in reads[0]
    accounts = [s for s in statements if "FROM telegram_accounts" in s]
    assert accounts == []
    assert "Choose an action" in teacher.last.text


async def test_requests_go_as_json_and_files_as_multipart(app: BotApp, college: College) -> None:
    """The Bot API gets one JSON body per request (cheaper to build than aiogram's form);
    a request with a file still goes as a multipart form."""
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    await teacher.click("📅 My lessons")
    label = next(b for b in teacher.last.button_labels if "Математика" in b and "09:00" in b)
    await teacher.click(label)
    sent = app.api.calls("sendMessage", chat_id=teacher.chat_id)
    edits = app.api.calls("editMessageText", chat_id=teacher.chat_id)
    assert sent and edits
    assert {r.content_type for r in sent + edits} == {"application/json"}
    assert all(r.status == 200 for r in sent + edits)
    card = edits[-1].params
    assert card["parse_mode"] == "HTML"  # the bot's default, resolved into the body
    assert card["reply_markup"]["inline_keyboard"]

    document = BufferedInputFile(b"%PDF-1.4 plan", filename="plan.pdf")
    await app.bot.send_document(teacher.chat_id, document)
    [upload] = app.api.calls("sendDocument", chat_id=teacher.chat_id)
    assert upload.content_type == "multipart/form-data"
    assert upload.status == 200


async def test_a_sent_message_comes_back_without_the_echo_of_what_was_sent(
    app: BotApp, college: College
) -> None:
    """Telegram answers a send with the whole message; the bot reads back its id and chat,
    not its own text, formatting and keyboard (building those objects cost more than the
    rest of the answer)."""
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    sent = await app.bot.send_message(teacher.chat_id, "<b>Hello</b>", reply_markup=home_button())
    [call] = app.api.calls("sendMessage", chat_id=teacher.chat_id)[-1:]
    assert call.status == 200
    assert sent.message_id == teacher.last.message_id
    assert sent.chat.id == teacher.chat_id
    assert (sent.text, sent.entities, sent.reply_markup, sent.from_user) == (None,) * 4
    assert teacher.last.text == "Hello"  # the person got all of it
    assert teacher.last.button_labels
