"""End to end in two messengers: the real ``journal-bot run`` process with Telegram and MAX at
once, against the fake Bot API of each.

A parent onboards through MAX (the invite sheet's MAX link), the teacher marks the register in
Telegram, and the parent gets the absence in MAX; the parent sends a certificate photo from
MAX and the curator approves it in Telegram, seeing the photo itself.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import signal
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from core.messenger import MAX_BASE
from storage.db import create_engine, create_session_factory
from storage.models import (
    Attendance,
    Lesson,
    Mark,
    Person,
    Student,
    TelegramAccount,
)
from tests.e2e.families import family_with_a_lesson
from tests.e2e.test_college_e2e import (
    BOT_USERNAME,
    SAMPLE,
    _adult,
    cli,
    code_of,
    last_working_day,
    screen_with,
)
from tests.fakebot import FakeBotAPI, TgUser
from tests.fakebot.process import REPO_ROOT, BotProcess
from tests.fakemax import FakeMaxAPI, MaxMessage, MaxUser

pytestmark = pytest.mark.e2e

MAX_USERNAME = "journal_max_bot"


def _fresh_postgres() -> str:
    """A database of its own next to ``TEST_DATABASE_URL``'s, empty."""
    server = make_url(os.environ["TEST_DATABASE_URL"])
    url = server.set(database=f"{server.database}_e2emax")

    async def reset() -> None:
        engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        await engine.dispose()

    asyncio.run(reset())
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def two_links(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, tuple[str, str]]]:
    """The sample college imported once; every person's Telegram and MAX link of one code.
    On PostgreSQL when ``TEST_DATABASE_URL`` names one (the store the process runs on), else
    on a SQLite file."""
    folder = tmp_path_factory.mktemp("e2e-max")
    if os.environ.get("TEST_DATABASE_URL"):
        url = _fresh_postgres()
    else:
        url = f"sqlite+aiosqlite:///{folder / 'journal.sqlite3'}"
    done = cli(url, "import", str(SAMPLE))
    assert done.returncode == 0, done.stderr
    sheet = folder / "invites.csv"
    done = cli(
        url,
        "invites",
        "--bot-username",
        BOT_USERNAME,
        "--max-bot-username",
        MAX_USERNAME,
        "-o",
        str(sheet),
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    assert len(rows[0]) == 7  # the MAX link is the last column
    links = {row[0]: (row[4], row[6]) for row in rows[1:]}
    for telegram, in_max in links.values():
        assert telegram.startswith(f"https://t.me/{BOT_USERNAME}?start=")
        assert in_max == f"https://max.ru/{MAX_USERNAME}?start={code_of(telegram)}"
    return url, links


@pytest.fixture
def db(two_links: tuple[str, dict[str, tuple[str, str]]]) -> str:
    return two_links[0]


def env_for(db: str, max_api: FakeMaxAPI) -> dict[str, str]:
    return {
        "DATABASE_URL": db,
        "POLLING_TIMEOUT": "5",
        "MAX_BOT_TOKEN": max_api.token,
        "MAX_API_URL": max_api.base_url,
        "NOTIFICATIONS__QUIET_FROM": "00:00",  # no quiet hours: the test runs at any hour
        "NOTIFICATIONS__QUIET_TO": "00:00",
        "NOTIFICATIONS__MERGE_MINUTES": "0",
        "NOTIFICATIONS__SCAN_SECONDS": "1",
    }


async def max_message(user: MaxUser, found: Callable[[MaxMessage], bool], what: str) -> MaxMessage:
    def first() -> MaxMessage | None:
        return next((m for m in reversed(user.bot_messages) if found(m)), None)

    try:
        await user.api.wait_for(lambda: first() is not None, within=60.0)
    except AssertionError:
        raise AssertionError(f"{what}: MAX user sees {user.texts}") from None
    message = first()
    assert message is not None
    return message


async def lesson_with_a_minor(db: str, day: date) -> tuple[Lesson, Student, Person, Person, Person]:
    """A family of tests/e2e/families.py whose student is a minor (a parent of an adult may
    not see the diary): the lesson, the student, the parent, the teacher and the curator."""
    engine = create_engine(db)
    try:
        async with create_session_factory(engine)() as session:
            found = await family_with_a_lesson(session, day, leave_out=lambda s: _adult(s, day))
    finally:
        await engine.dispose()
    if found is None:
        pytest.skip(f"no whole-group lesson of a curated group with a minor on {day}")
    return found.lesson, found.student, found.parent, found.teacher, found.curator


async def test_a_parent_in_max_gets_the_absence_marked_in_telegram_and_sends_a_certificate(
    db: str, two_links: tuple[str, dict[str, tuple[str, str]]]
) -> None:
    links = two_links[1]
    day = last_working_day(ZoneInfo("Asia/Sakhalin"))
    lesson, student, parent, teacher, curator = await lesson_with_a_minor(db, day)
    student_name = student.person.short_name
    async with (
        FakeBotAPI(bot_username=BOT_USERNAME) as api,
        FakeMaxAPI(bot_username=MAX_USERNAME) as max_api,
    ):
        async with BotProcess(api, env=env_for(db, max_api)) as proc:
            # The parent opens the MAX link of their invite and sees their menu there.
            mother = MaxUser(max_api, 880_001, parent.first_name)
            await mother.open_link(links[parent.external_id][1])
            menu = await max_message(
                mother, lambda m: m.button("📄 Send a certificate") is not None, "the menu"
            )
            assert menu.button("📱 Messengers") is not None

            # The teacher marks the register in Telegram.
            phone = TgUser(api, 7401, teacher.first_name, language_code="en")
            await phone.command("start", code_of(links[teacher.external_id][0]))
            await phone.command("start", f"lesson-{lesson.id}")
            card = await screen_with(phone, "💾 Done")
            await phone.click(next(b for b in card.button_labels if student_name in b), card)
            await phone.click("💾 Done", card)

            # The parent gets the absence in MAX.
            notice = await max_message(mother, lambda m: "absent" in m.visible, "the absence")
            assert student.person.first_name in notice.visible

            # The curator, in Telegram; the parent sends a certificate photo from MAX.
            head = TgUser(api, 7402, curator.first_name, language_code="en")
            await head.command("start", code_of(links[curator.external_id][0]))
            await api.wait_until(
                lambda: any(m.button_labels for m in head.bot_messages), what="the curator's menu"
            )
            await mother.click("📄 Send a certificate", menu)
            await mother.send(f"{day:%d.%m}–{day:%d.%m}")
            seen_by_head = len(head.bot_messages)
            told = len(mother.bot_messages)
            await mother.send_photo(b"\xff\xd8 certificate", caption="Flu")

            def approve_notice() -> bool:
                return any(
                    any("Approve" in b for b in m.button_labels)
                    for m in head.bot_messages[seen_by_head:]
                )

            await api.wait_until(approve_notice, what="the certificate reaching the curator")
            decision = next(
                m
                for m in head.bot_messages[seen_by_head:]
                if any("Approve" in b for b in m.button_labels)
            )
            assert student_name in decision.text and "Flu" in decision.text
            # The photo itself, fetched from MAX's file server for Telegram.
            assert decision.photo is not None and decision.photo.content == b"\xff\xd8 certificate"
            await head.click(next(b for b in decision.button_labels if "Approve" in b), decision)
            accepted = await max_message(
                mother,
                lambda m: "accepted" in m.visible and m in mother.bot_messages[told:],
                "the decision",
            )
            assert student.person.first_name in accepted.visible or accepted.visible
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        # The MAX bot registered its commands and the same MAX message never failed a limit.
        assert {c["name"] for c in max_api.commands} >= {"menu", "help"}

    engine = create_engine(db)
    try:
        async with create_session_factory(engine)() as session:
            mark = await session.scalar(
                select(Attendance).where(
                    Attendance.lesson_id == lesson.id, Attendance.student_id == student.id
                )
            )
            accounts = {
                a.person_id: a.telegram_user_id
                for a in await session.scalars(select(TelegramAccount))
            }
    finally:
        await engine.dispose()
    assert mark is not None and mark.mark is Mark.ABSENT
    assert mark.reason is not None and mark.reason.value == "illness"
    assert accounts[parent.id] == MAX_BASE + 880_001
    assert accounts[teacher.id] == 7401


async def test_the_process_runs_in_max_alone(tmp_path: Path) -> None:
    """No ``BOT_TOKEN``: ``journal-bot run`` answers in MAX only and stops cleanly."""
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "TELEGRAM_API_URL")}
    async with FakeMaxAPI(bot_username=MAX_USERNAME) as max_api:
        env |= {
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'journal.sqlite3'}",
            "MAX_BOT_TOKEN": max_api.token,
            "MAX_API_URL": max_api.base_url,
            "POLLING_TIMEOUT": "2",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            cwd=REPO_ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await max_api.wait_for(
                lambda: any(c.path == "/updates" for c in max_api.calls), within=120
            )
            stranger = MaxUser(max_api, 880_101, "Guest")
            await stranger.start()
            assert "personal link" in stranger.last.visible
        finally:
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()[-3000:]
        assert b"Traceback" not in err
