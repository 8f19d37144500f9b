"""A failure nobody foresaw: the person is told politely in their language, nothing they did
is half saved, and the log names no one."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from services.journal import lesson_details, register
from storage.models import Attendance, ConversationState, Lesson
from tests.botapp import BotApp
from tests.factories import College
from tests.fakebot import TgUser


class Broken(RuntimeError):
    """A failure nobody foresaw, raised on purpose."""


async def _open_card(teacher: TgUser, my_lessons: str = "📅 My lessons") -> None:
    await teacher.command("menu")
    await teacher.click(my_lessons)
    label = next(b for b in teacher.last.button_labels if "Математика" in b and "09:00" in b)
    await teacher.click(label)


async def test_a_failing_press_is_answered_and_changes_nothing(
    app: BotApp, college: College, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher, language_code="ru")
    await _open_card(teacher, "📅 Мои занятия")
    toggle = register.toggle_mark

    async def toggle_then_fail(*args: Any, **kwargs: Any) -> Any:
        await toggle(*args, **kwargs)  # the mark is written, then something breaks
        raise Broken(f"failed for {college.students[0].person.last_name}")

    monkeypatch.setattr(register, "toggle_mark", toggle_then_fail)
    student = college.students[0].person.last_name
    label = next(b for b in teacher.last.button_labels if student in b)
    with caplog.at_level(logging.ERROR):
        answer = await teacher.click(label)

    alert = teacher.alerts[-1]
    assert alert.show_alert
    assert answer == "Что-то пошло не так, и ничего не изменилось. Попробуйте ещё раз."
    async with app.session_factory() as session:
        marks = await session.scalar(select(func.count()).select_from(Attendance))
        assert marks == 0
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "lessons.tap" in logged and "Broken" in logged
    assert student not in logged and str(teacher.chat_id) not in logged


async def test_a_failing_message_is_answered_and_the_conversation_stays(
    app: BotApp, college: College, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await _open_card(teacher)
    await teacher.click("✏ Topic")
    set_topic = lesson_details.set_topic

    async def set_then_fail(*args: Any, **kwargs: Any) -> Any:
        await set_topic(*args, **kwargs)
        raise Broken("disk full")

    monkeypatch.setattr(lesson_details, "set_topic", set_then_fail)
    await teacher.send("Производная")

    assert teacher.last.text == "Something went wrong, and nothing was changed. Please try again."
    async with app.session_factory() as session:
        lesson = await session.get(Lesson, college.lessons.today.id)
        assert lesson is not None and lesson.topic != "Производная"
        states = (await session.scalars(select(ConversationState.state))).all()
        assert states == ["LessonInput:topic"]
    monkeypatch.setattr(lesson_details, "set_topic", set_topic)
    await teacher.send("Производная")
    assert "Topic saved." in teacher.bot_messages[-2].text


async def test_a_change_the_store_fails_to_keep_is_followed_by_an_apology(
    app: BotApp, college: College, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await _open_card(teacher)
    card = teacher.last

    async def commit_fails(self: AsyncSession) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    card_before = card.text
    edits_before = len(app.api.calls("editMessageText", chat_id=teacher.chat_id))
    with monkeypatch.context() as patched:
        patched.setattr(AsyncSession, "commit", commit_fails)
        await teacher.click("💾 Done", message=card)

    # The press is answered, the apology follows it, and the card was never edited to show a
    # register the store did not keep.
    assert teacher.last.text == "Something went wrong, and nothing was changed. Please try again."
    assert len(app.api.calls("editMessageText", chat_id=teacher.chat_id)) == edits_before
    assert card.text == card_before
    async with app.session_factory() as session:
        lesson = await session.get(Lesson, college.lessons.today.id)
        assert lesson is not None and lesson.register_done_at is None
    await teacher.click("💾 Done", message=card)
    async with app.session_factory() as session:
        lesson = await session.get(Lesson, college.lessons.today.id)
        assert lesson is not None and lesson.register_done_at is not None


@pytest.mark.parametrize("refusals", [1, 2])
async def test_a_reply_refused_with_429_arrives_after_exactly_retry_after(
    app: BotApp, college: College, refusals: int
) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    app.api.fail_next(
        "sendMessage", chat_id=teacher.chat_id, status=429, retry_after=1, times=refusals
    )
    await teacher.command("menu")
    assert "Choose an action" in teacher.last.text
    calls = app.api.calls("sendMessage", chat_id=teacher.chat_id)
    assert [c.status for c in calls] == [429] * refusals + [200]
    for refused, again in itertools.pairwise(calls):
        assert again.time - refused.time >= 1.0  # exactly as long as Telegram asked


async def test_a_429_asking_too_long_a_wait_is_not_waited_for(
    app: BotApp, college: College, caplog: pytest.LogCaptureFixture
) -> None:
    """The update's transaction is open while the reply is sent: it does not wait a minute."""
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    app.api.fail_next("sendMessage", chat_id=teacher.chat_id, status=429, retry_after=60)
    await teacher.command("menu")  # the apology comes instead
    assert "Something went wrong" in teacher.last.text
    calls = app.api.calls("sendMessage", chat_id=teacher.chat_id)
    assert [c.status for c in calls] == [429, 200]
