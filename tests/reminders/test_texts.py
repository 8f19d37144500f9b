"""Digest texts: within Telegram's limit however much is due, escaped, in the recipient's
language; buttons open the items."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from core.config import Settings
from core.i18n import use_locale
from core.textsplit import TEXT_LIMIT, visible_length
from keyboards.reminders import MAX_BUTTONS, digest_keyboard
from screens.reminders import digest_text
from services.reminders.deadlines import Due
from services.reminders.items import AbsenceItem, Digest, LessonItem, Rule, Section
from storage.models import Discipline, Person
from tests.factories import College
from tests.reminders.kit import Factory, at, labels, link, messages, scan

DAY = date(2026, 11, 17)


def _lessons(n: int, rule: Rule) -> Section:
    items = tuple(
        LessonItem(
            lesson_id=i + 1,
            day=DAY - timedelta(days=1 + i % 7),
            pair_no=1 + i % 6,
            group="ИСП-9.21/2",
            discipline="МДК.01.01 Разработка программных модулей " + "и тестирование " * 3,
            due=Due.OVERDUE,
            deadline=DAY - timedelta(days=i % 7),
        )
        for i in range(n)
    )
    return Section(rule, items)


def test_a_long_digest_stays_within_one_message() -> None:
    absences = tuple(
        AbsenceItem(1, "ИСП-9.21", i, f"Константинопольская-Здравомыслова А. {i}", 3, DAY, DAY)
        for i in range(200)
    )
    digest = Digest(
        7,
        DAY,
        [
            _lessons(150, Rule.REGISTER),
            _lessons(150, Rule.TOPIC),
            _lessons(150, Rule.DISTANCE),
            Section(Rule.ABSENCES, absences),
        ],
    )
    text = digest_text(digest)
    assert visible_length(text) <= TEXT_LIMIT
    assert "Registers to finish" in text and "Absences without a reason" in text
    assert "… and 194 more" in text or "… and 197 more" in text  # the lists were cut short
    markup = digest_keyboard(digest)
    rows = markup.inline_keyboard
    assert len(rows) == MAX_BUTTONS + 1 and rows[-1][0].text == "☰ Menu"
    assert all(len(row[0].text) <= 60 for row in rows)


def test_a_short_digest_is_shown_whole() -> None:
    digest = Digest(7, DAY, [_lessons(3, Rule.REGISTER)])
    text = digest_text(digest)
    assert text.count("• ") == 3 and "more" not in text


async def test_names_from_the_store_are_escaped(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.teacher)
    async with session_factory.begin() as session:
        await session.execute(
            update(Discipline).where(Discipline.id == college.math.id).values(name="Алгебра <i>")
        )
    await scan(session_factory, settings, at(DAY, 8, 0))
    [message] = await messages(session_factory, chat)
    assert "Алгебра &lt;i&gt;" in message.text and "<i>" not in message.text
    assert labels(message)[0] == "📖 16.11 · ИС-21 · Алгебра <i>"  # a button is plain text


async def test_each_recipient_reads_their_language(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    """The account's language first, else the person's locale, else the default."""
    english = await link(session_factory, college.teacher, language="en")
    russian = await link(session_factory, college.other_teacher, language=None)
    async with session_factory.begin() as session:
        await session.execute(
            update(Person).where(Person.id == college.other_teacher.id).values(locale="ru")
        )
    await scan(session_factory, settings, at(date(2026, 11, 16), 8, 0))  # Monday: R8 weekly
    [en] = await messages(session_factory, english)
    [ru] = await messages(session_factory, russian)
    assert "16 November" in en.text
    assert "16 ноября" in ru.text
    with use_locale("ru"):
        assert "17 ноября" in digest_text(Digest(1, DAY, [_lessons(1, Rule.REGISTER)]))
