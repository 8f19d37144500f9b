"""End to end: the real ``journal-bot`` process, its CLI and the fake Bot API over HTTP.

An operator imports the sample college and exports invites; a teacher and a parent open their
links; a used or wrong link is refused; the teacher takes a register from a phone.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.models import (
    Attendance,
    Discipline,
    Lesson,
    Mark,
    Membership,
    OutboxMessage,
    Person,
    Role,
    Student,
    TelegramAccount,
)
from tests.e2e.families import family_with_a_lesson
from tests.fakebot import ChatMessage, FakeBotAPI, TgUser
from tests.fakebot.process import REPO_ROOT, BotProcess

pytestmark = pytest.mark.e2e

SAMPLE = REPO_ROOT / "examples" / "sample-college.xlsx"
BOT_USERNAME = "journal_test_bot"


def cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db_url}
    env.pop("BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def college_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Import the sample college once and export every invite (external id → personal link).

    The end-to-end tier runs on its own SQLite file: it is about the process, the CLI and the
    HTTP conversation; the store's two backends are covered by the rest of the suite.
    """
    folder = tmp_path_factory.mktemp("e2e")
    url = f"sqlite+aiosqlite:///{folder / 'journal.sqlite3'}"
    done = cli(url, "import", str(SAMPLE))
    assert done.returncode == 0, done.stderr
    sheet = folder / "invites.csv"
    done = cli(url, "invites", "--bot-username", BOT_USERNAME, "-o", str(sheet))
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    links = {row[0]: row[4] for row in rows[1:]}
    assert all(link.startswith(f"https://t.me/{BOT_USERNAME}?start=") for link in links.values())
    assert all(len(link.split("start=", 1)[1]) <= 64 for link in links.values())
    return folder / "journal.sqlite3", links


@pytest.fixture
def e2e_db(college_template: tuple[Path, dict[str, str]], tmp_path: Path) -> str:
    path = tmp_path / "journal.sqlite3"
    shutil.copyfile(college_template[0], path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def imported(college_template: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return college_template[1]


@pytest.fixture
async def e2e_sessions(e2e_db: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(e2e_db)
    yield create_session_factory(engine)
    await engine.dispose()


def code_of(link: str) -> str:
    return link.split("start=", 1)[1]


async def screen_with(user: TgUser, label: str) -> ChatMessage:
    """The bot's latest message with the button ``label``, once there is one. A reply may come
    in several messages, and the running bot's reminders and notices may arrive in the chat at
    any moment: a test waits for the screen it expects, not for the last message."""

    def found() -> ChatMessage | None:
        return next((m for m in reversed(user.bot_messages) if m.button(label)), None)

    await user.api.wait_until(lambda: found() is not None, what=f"{label!r} shown to {user!r}")
    message = found()
    assert message is not None
    return message


async def press_on(user: TgUser, card: ChatMessage, label: str) -> None:
    """Press ``label`` on ``card`` and wait for the card to change. The press's answer alone
    does not say the card is new: the running bot's notices to the same chat count as an
    answer too."""
    before = (card.text, card.button_labels)
    await user.click(label, card)
    await user.api.wait_until(
        lambda: (card.text, card.button_labels) != before, what=f"the card after {label!r}"
    )


async def message_with(user: TgUser, seen: int, text: str) -> ChatMessage:
    """The first message after the ``seen`` first ones with ``text`` in it, once it comes
    (the notifier and the sender work in the background)."""

    def found() -> ChatMessage | None:
        return next((m for m in user.bot_messages[seen:] if text in m.text), None)

    await user.api.wait_until(lambda: found() is not None, what=f"{text!r} reaching {user!r}")
    message = found()
    assert message is not None
    return message


async def test_run_without_token_says_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3"
    env["PYTHONPATH"] = str(REPO_ROOT)  # this checkout, run from elsewhere (no .env is read)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0 and "BOT_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr


async def test_onboarding_through_the_real_process(
    e2e_db: str, imported: dict[str, str], e2e_sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with e2e_sessions() as session:
        teacher = await session.scalar(
            select(Person)
            .join(Membership)
            .where(Membership.role == Role.TEACHER)
            .order_by(Person.external_id)
        )
        parent_link = await session.execute(
            select(Person, Student)
            .join(Membership, Membership.person_id == Person.id)
            .join(Student, Student.id == Membership.student_id)
            .where(Membership.role == Role.PARENT)
            .order_by(Person.external_id)
            .limit(1)
        )
        parent, child = parent_link.one()
        child_name = child.person.last_name
    assert teacher is not None

    async with FakeBotAPI(bot_username=BOT_USERNAME) as api:
        async with BotProcess(api, env={"DATABASE_URL": e2e_db, "POLLING_TIMEOUT": "5"}) as proc:
            anna = TgUser(api, 7001, teacher.first_name, language_code="en")
            await anna.command("start", code_of(imported[teacher.external_id]))
            assert "Teacher" in (await screen_with(anna, "📅 My lessons")).text

            mother = TgUser(api, 7002, parent.first_name, language_code="en")
            await mother.command("start", code_of(imported[parent.external_id]))
            assert child_name in (await message_with(mother, 0, "Parent")).text

            thief = TgUser(api, 7003, "Eve", language_code="en")
            await thief.command("start", code_of(imported[teacher.external_id]))
            await message_with(thief, 0, "already been used")
            seen = len(thief.bot_messages)
            await thief.command("start", "A" * 32)
            await message_with(thief, seen, "not valid")
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        # The command menu is registered per language, Russian for everyone else.
        menus = {
            lang: [c["description"] for c in cmds] for (_s, lang), cmds in api.commands.items()
        }
        assert set(menus) == {"", "ru", "en"}
        assert "Main menu" in menus["en"]
        assert "Главное меню" in menus["ru"]
        assert menus[""] == menus["ru"]

    async with e2e_sessions() as session:
        linked = {
            a.telegram_user_id: a.person_id
            for a in (await session.scalars(select(TelegramAccount))).all()
        }
    assert linked == {7001: teacher.id, 7002: parent.id}


def last_working_day(tz: ZoneInfo) -> date:
    day = datetime.now(tz).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


async def test_teacher_takes_a_register(
    e2e_db: str, imported: dict[str, str], e2e_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tz = ZoneInfo("Asia/Sakhalin")
    day = last_working_day(tz)
    async with e2e_sessions() as session:
        lesson = await session.scalar(
            select(Lesson)
            .where(Lesson.date == day, Lesson.subgroup_id.is_(None), Lesson.cancelled.is_(False))
            .order_by(Lesson.pair_no, Lesson.id)
        )
        if lesson is None:
            pytest.skip(f"the sample timetable has no whole-group lesson on {day}")
        teacher = await session.get(Person, lesson.teacher_id)
        students = (
            await session.scalars(select(Student).where(Student.group_id == lesson.group_id))
        ).all()
    assert teacher is not None and len(students) >= 4

    async with FakeBotAPI(bot_username=BOT_USERNAME) as api:
        async with BotProcess(api, env={"DATABASE_URL": e2e_db, "POLLING_TIMEOUT": "5"}):
            phone = TgUser(api, 7101, teacher.first_name, language_code="en")
            await phone.command("start", code_of(imported[teacher.external_id]))
            # The menu becomes the day, then the lesson's card: one message, edited in place.
            card = await screen_with(phone, "📅 My lessons")
            await press_on(phone, card, "📅 My lessons")
            while f"· {day.day} " not in card.text.split("\n", 1)[0]:
                await press_on(phone, card, "◀")
            hhmm = lesson.starts_at.astimezone(tz).strftime("%H:%M")
            await press_on(phone, card, next(b for b in card.button_labels if hhmm in b))
            names = {s.id: s.person.short_name for s in students}
            roster = [s for s in students if any(names[s.id] in b for b in card.button_labels)]
            absent, late = roster[:3], roster[3]
            taps = 0
            for student in absent:
                await press_on(
                    phone, card, next(b for b in card.button_labels if names[student.id] in b)
                )
                taps += 1
            for _ in range(2):
                await press_on(
                    phone, card, next(b for b in card.button_labels if names[late.id] in b)
                )
                taps += 1
            assert taps <= 5
            await press_on(phone, card, "💾 Done")
            assert "absent 3" in card.text and "late 1" in card.text

    async with e2e_sessions() as session:
        marks = {
            sid: mark
            for sid, mark in (
                await session.execute(
                    select(Attendance.student_id, Attendance.mark).where(
                        Attendance.lesson_id == lesson.id
                    )
                )
            ).all()
            if mark is not Mark.PRESENT
        }
        stored = await session.get(Lesson, lesson.id)
    assert marks == {s.id: Mark.ABSENT for s in absent} | {late.id: Mark.LATE}
    assert stored is not None and stored.register_done_at is not None


async def test_a_grade_reaches_that_students_parent_only(
    e2e_db: str, imported: dict[str, str], e2e_sessions: async_sessionmaker[AsyncSession]
) -> None:
    """The teacher grades from the phone; the running bot's notifier and sender tell the
    student's parent (one message: discipline, grade, date) and no other parent."""
    tz = ZoneInfo("Asia/Sakhalin")
    day = last_working_day(tz)
    async with e2e_sessions() as session:
        # A lesson of a group with a student under 18: an adult's parents hear only what the
        # student allows (the sample's third-year group is all adults by now).
        lessons = await session.scalars(
            select(Lesson)
            .where(Lesson.date == day, Lesson.subgroup_id.is_(None), Lesson.cancelled.is_(False))
            .order_by(Lesson.pair_no, Lesson.id)
        )
        lesson, students = None, []
        for candidate in lessons.all():
            students = list(
                (
                    await session.scalars(
                        select(Student)
                        .where(Student.group_id == candidate.group_id)
                        .order_by(Student.id)
                    )
                ).all()
            )
            if any(not _adult(s, day) for s in students):
                lesson = candidate
                break
        if lesson is None:
            pytest.skip(f"the sample timetable has no whole-group lesson of minors on {day}")
        teacher = await session.get(Person, lesson.teacher_id)
        discipline = await session.get(Discipline, lesson.discipline_id)
        parents = {}
        for student in students:
            parents[student.id] = await session.scalar(
                select(Person)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.role == Role.PARENT, Membership.student_id == student.id)
                .order_by(Person.id)
            )
        graded = next(s for s in students if not _adult(s, day))
        # Another family: a parent of the same group who is not the graded student's parent.
        other = next(s for s in students[1:] if parents[s.id].id != parents[graded.id].id)
    assert teacher is not None and discipline is not None
    env = {
        "DATABASE_URL": e2e_db,
        "POLLING_TIMEOUT": "5",
        "NOTIFICATIONS__QUIET_FROM": "00:00",  # no quiet hours: the test runs at any hour
        "NOTIFICATIONS__QUIET_TO": "00:00",
        "NOTIFICATIONS__MERGE_MINUTES": "0",
        "NOTIFICATIONS__SCAN_SECONDS": "1",
    }
    async with FakeBotAPI(bot_username=BOT_USERNAME) as api:
        async with BotProcess(api, env=env):
            phone = TgUser(api, 7201, teacher.first_name, language_code="en")
            await phone.command("start", code_of(imported[teacher.external_id]))
            mother = TgUser(api, 7202, parents[graded.id].first_name, language_code="en")
            await mother.command("start", code_of(imported[parents[graded.id].external_id]))
            neighbour = TgUser(api, 7203, parents[other.id].first_name, language_code="en")
            await neighbour.command("start", code_of(imported[parents[other.id].external_id]))
            for parent_phone in (mother, neighbour):
                await screen_with(parent_phone, "📄 Send a certificate")  # the menu is there
            before = {u.chat_id: len(u.bot_messages) for u in (mother, neighbour)}

            await phone.command("start", f"lesson-{lesson.id}")
            card = await screen_with(phone, "⭐ Grades")
            await phone.click("⭐ Grades", card)
            await phone.click(
                next(b for b in card.button_labels if graded.person.short_name in b), card
            )
            await phone.click("5", card)
            await message_with(mother, before[mother.chat_id], discipline.name)
    news = mother.bot_messages[before[mother.chat_id] :]
    assert len(news) == 1, [m.text for m in news]
    assert discipline.name in news[0].text and "5" in news[0].text
    assert str(day.day) in news[0].text
    assert len(neighbour.bot_messages) == before[neighbour.chat_id]
    # The notifier queues everyone it tells in one transaction, committed before the mother's
    # message went out: a message doubled or for the neighbour would be in the outbox now.
    async with e2e_sessions() as session:
        queued = (
            await session.scalars(
                select(OutboxMessage.chat_id).where(
                    OutboxMessage.chat_id.in_([mother.chat_id, neighbour.chat_id])
                )
            )
        ).all()
    assert queued == [mother.chat_id]


def _adult(student: Student, day: date) -> bool:
    born = student.person.birth_date
    return born is not None and (day.year - born.year, day.month, day.day) >= (
        18,
        born.month,
        born.day,
    )


async def _wait_for_buttons(user: TgUser, count: int, label: str) -> ChatMessage:
    """The first new message for ``user`` (after ``count``) with a button naming ``label``."""

    def found() -> ChatMessage | None:
        return next(
            (m for m in user.bot_messages[count:] if any(label in b for b in m.button_labels)),
            None,
        )

    await user.api.wait_until(lambda: found() is not None, what=f"{label!r} shown to {user!r}")
    message = found()
    assert message is not None
    return message


async def test_a_photo_certificate_approved_by_the_curator(
    e2e_db: str, imported: dict[str, str], e2e_sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A teacher records an absence; the parent sends a photo certificate; the curator gets it
    through the outbox, approves it; the absence gets its reason and the parent is told."""
    tz = ZoneInfo("Asia/Sakhalin")
    day = last_working_day(tz)
    async with e2e_sessions() as session:
        # A parent (and nothing else: P… ids) with one child in the whole college, so the
        # certificate is for that child; the child's group has a curator.
        family = await family_with_a_lesson(session, day)
        if family is None:
            pytest.skip(f"no whole-group lesson of a curated group on {day}")
        lesson, student, parent = family.lesson, family.student, family.parent
        teacher, curator = family.teacher, family.curator
        student_name = student.person.short_name
    assert teacher is not None and curator is not None
    env = {
        "DATABASE_URL": e2e_db,
        "POLLING_TIMEOUT": "5",
        "NOTIFICATIONS__QUIET_FROM": "00:00",
        "NOTIFICATIONS__QUIET_TO": "00:00",
        "NOTIFICATIONS__SCAN_SECONDS": "1",
    }
    async with FakeBotAPI(bot_username=BOT_USERNAME) as api:
        async with BotProcess(api, env=env):
            phone = TgUser(api, 7301, teacher.first_name, language_code="en")
            await phone.command("start", code_of(imported[teacher.external_id]))
            await phone.command("start", f"lesson-{lesson.id}")
            card = await screen_with(phone, "💾 Done")
            await phone.click(next(b for b in card.button_labels if student_name in b), card)
            await phone.click("💾 Done", card)

            head = TgUser(api, 7302, curator.first_name, language_code="en")
            await head.command("start", code_of(imported[curator.external_id]))
            await api.wait_until(  # the menu (of whichever role comes first) is there
                lambda: any(m.button_labels for m in head.bot_messages), what="the curator's menu"
            )
            mother = TgUser(api, 7303, parent.first_name, language_code="en")
            await mother.command("start", code_of(imported[parent.external_id]))
            await mother.click(
                "📄 Send a certificate", await screen_with(mother, "📄 Send a certificate")
            )
            await mother.send(f"{day:%d.%m}–{day:%d.%m}")
            seen_by_head = len(head.bot_messages)
            await mother.send_photo(b"\xff\xd8 certificate", caption="Flu")
            told = len(mother.bot_messages)

            # The curator's morning digest may arrive around it: the notice has the buttons.
            notice = await _wait_for_buttons(head, seen_by_head, "Approve")
            assert notice.photo is not None  # the photo itself, with the buttons under it
            assert student_name in notice.text and "Flu" in notice.text
            await head.click(next(b for b in notice.button_labels if "Approve" in b), notice)
            await message_with(mother, told, "accepted")

    async with e2e_sessions() as session:
        mark = await session.scalar(
            select(Attendance).where(
                Attendance.lesson_id == lesson.id, Attendance.student_id == student.id
            )
        )
    assert mark is not None and mark.mark is Mark.ABSENT
    assert mark.reason is not None and mark.reason.value == "illness"
    assert mark.reason_set_by == curator.id
