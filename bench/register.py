# ruff: noqa: E402  (the repository root goes on sys.path before the project's imports)
"""How long a register tap takes on the server, on a college of realistic size.

    python bench/register.py                     # 120 groups of 25, 170 days, 500 taps
    python bench/register.py --taps 2000 --rate 20     # 20 taps a second at random
    python bench/register.py --concurrency 8            # 8 teachers tapping non-stop
    python bench/register.py --concurrency 32 --database-url postgresql+asyncpg://…/empty_db
    python bench/register.py --profile           # where the time goes (pyinstrument)

Builds a synthetic college with a year of journal history (bench/college.py) in a fresh SQLite
file, then feeds real ``callback_query`` updates (a teacher tapping a student on today's
register) through the real dispatcher, with the fake Telegram Bot API server answering the
bot's HTTP calls in the same process. Two times per tap, both on the event loop's clock:

* to edit: from ``feed_update`` starting to the fake server receiving ``editMessageText``
  (the new register is on its way to the teacher);
* whole update: the ``feed_update`` call, which also includes the bot's
  ``answerCallbackQuery`` after the edit.

With one teacher tapping at a time it also prints the process's CPU time per update (the bot
and the fake server together): on a busy machine the wall times grow, the CPU time much less.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# isort: off
import bot as _product  # noqa: F401  (first: Telegram's types built on first use, as in the product)
# isort: on

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.college import HANDLED_UPDATES, BuiltCollege, Size, TodayLesson, build_college
from bot.app import create_dispatcher
from core.config import Settings
from core.i18n import create_i18n
from handlers.interactions import interactions
from keyboards.journal import MARK_CODES, LessonCb, MarkCb
from services.journal.register import next_mark
from storage.db import create_engine, create_session_factory, migrate
from storage.models import Attendance, Mark
from tests.fakebot import ChatMessage, FakeBotAPI, TgUser

TARGET_P95_MS = 50.0
UPDATE_IDS = count(HANDLED_UPDATES * 5)  # above the handled ids the college was built with


@dataclass
class Card:
    """A teacher's chat showing the register of one of today's lessons."""

    user: TgUser
    lesson: TodayLesson
    message: ChatMessage


@dataclass
class Timings:
    to_edit: list[float] = field(default_factory=list)  # ms
    whole: list[float] = field(default_factory=list)  # ms
    cpu: list[float] = field(default_factory=list)  # ms of this process's CPU, fake server too
    failures: list[str] = field(default_factory=list)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(values: Sequence[float]) -> str:
    return "  ".join(
        f"{name} {value:7.1f} ms"
        for name, value in (
            ("p50", percentile(values, 50)),
            ("p95", percentile(values, 95)),
            ("p99", percentile(values, 99)),
            ("max", max(values)),
        )
    )


async def open_cards(api: FakeBotAPI, college: BuiltCollege) -> list[Card]:
    """Each teacher with a lesson today opens its register the way a teacher does."""
    first: dict[int, TodayLesson] = {}
    for lesson in college.lessons_today:
        first.setdefault(lesson.teacher_id, lesson)
    cards = []
    for teacher_id, lesson in first.items():
        user = TgUser(api, college.teachers[teacher_id], "Teacher", language_code="ru")
        await user.command("menu")
        await user.click_data(user.last, LessonCb(id=lesson.lesson_id).pack())
        cards.append(Card(user, lesson, user.last))
    return cards


async def tap(
    api: FakeBotAPI,
    dp: Dispatcher,
    bot: Bot,
    card: Card,
    student_id: int,
    seen: Mark,
    timings: Timings | None,
) -> None:
    user = card.user
    query_id = api.new_callback_query(user.chat_id)
    data = MarkCb(lesson=card.lesson.lesson_id, student=student_id, seen=MARK_CODES[seen])
    raw: dict[str, Any] = {
        "update_id": next(UPDATE_IDS),
        "callback_query": {
            "id": query_id,
            "from": user.user_json,
            "message": card.message.raw,
            "chat_instance": str(user.chat_id),
            "data": data.pack(),
        },
    }
    update = Update.model_validate(raw, context={"bot": bot})
    loop = asyncio.get_running_loop()
    mark = len(api.requests)
    cpu = time.process_time()
    started = loop.time()
    await dp.feed_update(bot, update)
    finished = loop.time()
    cpu = time.process_time() - cpu
    calls = api.requests[mark:]
    edit = next(
        (r for r in calls if r.method == "editMessageText" and r.chat_id == user.chat_id), None
    )
    if edit is None or not edit.ok or query_id not in api.callback_answers:
        problem = edit.description if edit is not None else "no editMessageText"
        if timings is not None:
            timings.failures.append(f"{data.pack()}: {problem}")
        return
    if timings is not None:
        timings.to_edit.append((edit.time - started) * 1000)
        timings.whole.append((finished - started) * 1000)
        timings.cpu.append(cpu * 1000)


async def run_taps(
    api: FakeBotAPI,
    dp: Dispatcher,
    bot: Bot,
    cards: list[Card],
    args: argparse.Namespace,
    rng: random.Random,
) -> tuple[Timings, dict[tuple[int, int], Mark]]:
    """Taps on random students of the open registers, each teacher tapping only their own.

    By default ``concurrency`` teachers tap one after another without pause (closed loop);
    with ``rate``, taps arrive at random at that many a second (open loop), each from a
    teacher whose previous tap has been answered."""
    marks: dict[tuple[int, int], Mark] = {}
    timings = Timings()

    async def one(card: Card, counted: bool) -> None:
        student = rng.choice(card.lesson.student_ids)
        key = (card.lesson.lesson_id, student)
        seen = marks.get(key, Mark.PRESENT)
        marks[key] = next_mark(seen)
        await tap(api, dp, bot, card, student, seen, timings if counted else None)

    for n in range(args.warmup):
        await one(cards[n % len(cards)], counted=False)
    if args.rate:
        idle = set(range(len(cards)))
        tasks = []

        async def arrive(index: int) -> None:
            await one(cards[index], counted=True)
            idle.add(index)

        for _ in range(args.taps):
            await asyncio.sleep(rng.expovariate(args.rate))
            index = rng.choice(sorted(idle))
            idle.discard(index)
            tasks.append(asyncio.create_task(arrive(index)))
        await asyncio.gather(*tasks)
        return timings, marks
    lanes = [cards[i :: args.concurrency] for i in range(args.concurrency)]
    share, extra = divmod(args.taps, args.concurrency)

    async def lane(own: list[Card], n: int) -> None:
        for _ in range(n):
            await one(rng.choice(own), counted=True)

    await asyncio.gather(*(lane(own, share + (i < extra)) for i, own in enumerate(lanes)))
    return timings, marks


async def stored_marks(engine: AsyncEngine, lesson_ids: list[int]) -> dict[tuple[int, int], Mark]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Attendance.lesson_id, Attendance.student_id, Attendance.mark).where(
                Attendance.lesson_id.in_(lesson_ids)
            )
        )
        return {(lesson, student): Mark(mark) for lesson, student, mark in rows}


def file_size(url: str) -> str:
    path = Path(make_url(url).database or "")
    wal = Path(f"{path}-wal")
    extra = wal.stat().st_size if wal.exists() else 0
    return f"{path.stat().st_size / 2**20:.1f} MB (+ WAL {extra / 2**20:.1f} MB)"


async def database_size(engine: AsyncEngine, url: str) -> str:
    if engine.dialect.name != "postgresql":
        return await asyncio.to_thread(file_size, url)
    async with engine.connect() as conn:
        size = await conn.scalar(text("SELECT pg_database_size(current_database())"))
    return f"{(size or 0) / 2**20:.1f} MB"


async def main(args: argparse.Namespace) -> int:
    size = Size(
        groups=args.groups,
        group_size=args.group_size,
        teachers=args.teachers,
        days=args.days,
        pairs=args.pairs,
        seed=args.seed,
    )
    workdir = tempfile.TemporaryDirectory(prefix="journal-bench-")
    url = args.database_url or f"sqlite+aiosqlite:///{workdir.name}/journal.sqlite3"
    clock = time.perf_counter()
    await migrate(url)
    migrated = time.perf_counter()
    engine = create_engine(url)
    college = await build_college(engine, size)
    if engine.dialect.name == "sqlite":
        async with engine.connect() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    built = time.perf_counter()
    rows = college.rows
    print(
        f"college: {size.groups} groups × {size.group_size} students = "
        f"{size.groups * size.group_size} students, {size.teachers} teachers, "
        f"{rows['lessons']} lessons ({size.days} working days × {size.pairs} pairs), "
        f"today {college.today}"
    )
    print("rows: " + ", ".join(f"{name} {n}" for name, n in rows.items() if n >= 1000))
    size_text = await database_size(engine, url)
    print(
        f"build: {built - clock:.1f} s (schema {migrated - clock:.1f} s, "
        f"data {built - migrated:.1f} s); database {size_text}; {engine.dialect.name}"
    )

    session_factory = create_session_factory(engine)
    async with FakeBotAPI() as api:
        settings = Settings(bot_token=api.token, telegram_api_url=api.base_url, database_url=url)
        i18n = create_i18n(settings.default_locale)
        bot = api.make_bot()
        dp = create_dispatcher(settings, session_factory, i18n)
        dp["i18n"] = i18n
        dp["clock"] = lambda: college.now
        api.attach(dp, bot)
        # One process is the whole deployment, so it is the elected sender as well, and notes
        # the chats people talk in in memory (handlers/interactions.py), not in the store.
        interactions.sender_here = True
        cards = await open_cards(api, college)
        rng = random.Random(args.seed)
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="enabled")
            profiler.start()
        timings, expected = await run_taps(api, dp, bot, cards, args, rng)
        if profiler is not None:
            profiler.stop()
    stored = await stored_marks(engine, [c.lesson.lesson_id for c in cards])
    async with engine.connect() as conn:
        total = await conn.scalar(select(func.count()).select_from(Attendance))
    await engine.dispose()

    load = f"{args.rate:g} taps/s at random" if args.rate else f"concurrency {args.concurrency}"
    print(
        f"taps: {len(timings.to_edit)} timed after {args.warmup} warm-up, "
        f"{len(cards)} teachers' registers open, {load}"
    )
    if timings.to_edit:
        print(f"tap → editMessageText received:  {summary(timings.to_edit)}")
        print(f"tap → update handled (+ answer): {summary(timings.whole)}")
        if args.concurrency == 1 and not args.rate:
            print(f"CPU of the process per update:   {summary(timings.cpu)}")
    shown = {k: m for k, m in expected.items() if m is not Mark.PRESENT}
    kept = {k: m for k, m in stored.items() if m is not Mark.PRESENT}
    print(
        f"store: {len(kept)} absent or late on today's open registers "
        f"({'as tapped' if kept == shown else 'DIFFERS from the taps'}); "
        f"attendance rows {total}"
    )
    for failure in timings.failures[:5]:
        print(f"failed: {failure}")
    p95 = percentile(timings.to_edit, 95) if timings.to_edit else float("inf")
    verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
    print(f"target p95 ≤ {TARGET_P95_MS:.0f} ms (to edit): {verdict}")
    if profiler is not None:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    workdir.cleanup()
    return 0 if verdict == "met" and not timings.failures and kept == shown else 1


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = Size()
    parser.add_argument("--groups", type=int, default=default.groups)
    parser.add_argument("--group-size", type=int, default=default.group_size)
    parser.add_argument("--teachers", type=int, default=default.teachers)
    parser.add_argument("--days", type=int, default=default.days, help="working days of lessons")
    parser.add_argument("--pairs", type=int, default=default.pairs, help="lessons a day a group")
    parser.add_argument("--taps", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20, help="taps before timing starts")
    parser.add_argument("--concurrency", type=int, default=1, help="teachers tapping at once")
    parser.add_argument("--rate", type=float, help="taps a second arriving at random instead")
    parser.add_argument("--seed", type=int, default=default.seed)
    parser.add_argument(
        "--database-url", help="an EMPTY database to build in instead of a temporary SQLite file"
    )
    parser.add_argument("--profile", action="store_true", help="profile the taps (pyinstrument)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
