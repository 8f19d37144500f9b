# ruff: noqa: E402  (the repository root goes on sys.path before the project's imports)
"""The cost of an update: CPU per update by kind, a /menu burst against a bare echo bot, memory.

    python bench/updates.py                 # 3,000 students, the mix, bursts of 165, 10,000 updates
    python bench/updates.py --groups 40 --days 60 --total 3000     # smaller and quicker

Builds the synthetic college of bench/college.py (a year of history) in a fresh SQLite file,
gives every student and parent a Telegram account and sends all students an announcement
with an Acknowledge button. Then, through the real dispatcher (``bot.app.create_dispatcher``)
and the fake Telegram Bot API server (``tests.fakebot``, HTTP on 127.0.0.1 in this process):

1. a mix of the updates people send, one at a time: register taps, opening a lesson, /menu
   (teachers, students, parents), the diary's day and week, a grade, an acknowledgement.
   Per kind: the process's CPU time per update (``time.process_time`` around ``feed_update``;
   the fake server's side of the HTTP calls is in it too), the same without the CPU the fake
   server spent in its request handlers (metered by an aiohttp middleware: in production that
   is Telegram's work, on Telegram's machines), p50 and p95, and for the presses that edit a
   message the time from the update to ``editMessage…`` reaching the server;
2. a burst: ``--burst`` people send /menu at the same moment (all fed at once); then a bare
   aiogram echo bot (one handler, ``message.answer``) gets the same burst through the same
   server. Rounds alternate; the medians of updates a second and their ratio are printed;
3. more of the mix until ``--total`` updates were handled, then the resident memory (RSS) of
   the process (the fake server's records are trimmed as it goes, so they do not count).
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
import gc
import multiprocessing
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message, Update
from aiohttp import web
from sqlalchemy import insert, select, text

from bench.college import HANDLED_UPDATES, TELEGRAM_BASE, BuiltCollege, Size, build_college
from bench.register import percentile
from bot.app import create_dispatcher
from core.config import Settings
from core.i18n import create_i18n
from keyboards.announcements import AnnCb, AnnouncementAction
from keyboards.diary import DiaryAction, DiaryCb, day_code
from keyboards.journal import MARK_CODES, GradeCb, LessonAction, LessonCb, MarkCb
from services.journal.register import next_mark
from storage.db import create_engine, create_session_factory, migrate
from storage.models import (
    Announcement,
    AnnouncementReceipt,
    Mark,
    Membership,
    Role,
    Student,
    TelegramAccount,
)
from tests.fakebot import ChatMessage, FakeBotAPI, TgUser

UPDATE_IDS = count(HANDLED_UPDATES * 5)  # above the handled ids the college was built with
MESSAGE_IDS = count(1_000_000)  # people's own messages (commands), above the bot's
EDITS = ("editMessageText", "editMessageReplyMarkup")
# The mix: how often each kind comes, out of the sum.
MIX = {"tap": 40, "lesson": 8, "menu": 15, "day": 15, "week": 7, "grade": 8, "ack": 7}
TARGETS = {"tap": 6.0, "menu": 4.0, "day": 6.0}  # ms of CPU, p50


@dataclass
class Teacher:
    user: TgUser
    lesson_id: int
    students: list[int]
    card: ChatMessage  # the lesson's register
    sheet: ChatMessage  # the lesson's grades
    marks: dict[int, Mark] = field(default_factory=dict)


@dataclass
class Reader:
    """A student or a parent: the diary message they page."""

    user: TgUser
    diary: ChatMessage | None = None
    acknowledged: bool = False


@dataclass
class Figures:
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    bot_cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    to_edit: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    handled: int = 0


def unchanged(request: Any) -> bool:
    """Telegram's refusal to edit a message into what it already shows (a lesson opened on
    its own card, a day shown again): the bot did its work, the screen is right."""
    return "message is not modified" in (request.description or "")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def build(url: str, size: Size) -> tuple[BuiltCollege, int, list[int]]:
    async def run() -> tuple[BuiltCollege, int, list[int]]:
        await migrate(url)
        engine = create_engine(url)
        college = await build_college(engine, size)
        ann_id, reader_ids = await add_readers(engine, college, author_id=1)
        async with engine.connect() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        await engine.dispose()
        return college, ann_id, reader_ids

    return asyncio.run(run())


async def add_readers(engine: Any, college: BuiltCollege, author_id: int) -> tuple[int, list[int]]:
    """Telegram accounts for every student and parent, and an announcement to every student
    (author: a teacher). Returns the announcement's id and the students' person ids."""
    async with engine.begin() as conn:
        students = [row[0] for row in await conn.execute(select(Student.person_id))]
        parents = [
            row[0]
            for row in await conn.execute(
                select(Membership.person_id).where(Membership.role == Role.PARENT)
            )
        ]
        await conn.execute(
            insert(TelegramAccount),
            [
                {"telegram_user_id": TELEGRAM_BASE + p, "chat_id": TELEGRAM_BASE + p,
                 "person_id": p, "language": "ru"}
                for p in students + parents
            ],
        )  # fmt: skip
        ann_id = 1
        await conn.execute(
            insert(Announcement),
            [{"id": ann_id, "org_id": college.org_id, "author_id": author_id, "text": "Собрание",
              "audience": {}, "recipients_total": len(students), "created_at": college.now,
              "sent_at": college.now}],
        )  # fmt: skip
        await conn.execute(
            insert(AnnouncementReceipt),
            [
                {"announcement_id": ann_id, "person_id": p, "delivered_at": college.now}
                for p in students
            ],
        )
    return ann_id, students + parents


class ServerCPU:
    """The fake Bot API server's own CPU time: what Telegram's machines do in production,
    metered around its request handlers so it can be told from the bot's."""

    def __init__(self) -> None:
        self.seconds = 0.0

    @web.middleware
    async def meter(self, request: web.Request, handler: Any) -> web.StreamResponse:
        start = time.process_time()
        try:
            return await handler(request)
        finally:
            self.seconds += time.process_time() - start


class Feeder:
    """Feeds raw updates to a dispatcher and times them."""

    def __init__(
        self, api: FakeBotAPI, dp: Dispatcher, bot: Bot, figures: Figures, server: ServerCPU
    ) -> None:
        self.api, self.dp, self.bot, self.figures, self.server = api, dp, bot, figures, server

    async def feed(self, kind: str | None, raw: dict[str, Any], chat_id: int) -> None:
        update = Update.model_validate(
            {"update_id": next(UPDATE_IDS), **raw}, context={"bot": self.bot}
        )
        loop = asyncio.get_running_loop()
        mark = len(self.api.requests)
        cpu, served = time.process_time(), self.server.seconds
        started = loop.time()
        await self.dp.feed_update(self.bot, update)
        cpu = time.process_time() - cpu
        served = self.server.seconds - served
        self.figures.handled += 1
        calls = self.api.requests[mark:]
        failed = next((r for r in calls if not r.ok and not unchanged(r)), None)
        if failed is not None or not any(
            r.chat_id == chat_id or "callback_query_id" in r.params for r in calls
        ):
            problem = failed.description if failed else "no answer"
            self.figures.failures.append(f"{kind}: {problem}")
        elif kind is not None:
            self.figures.cpu[kind].append(cpu * 1000)
            self.figures.bot_cpu[kind].append((cpu - served) * 1000)
            edit = next((r for r in calls if r.method in EDITS), None)
            if edit is not None:
                self.figures.to_edit[kind].append((edit.time - started) * 1000)
        del self.api.requests[:]  # the bench's records only: memory is measured later

    async def command(self, kind: str | None, user: TgUser, name: str) -> None:
        raw = {
            "message": {
                "message_id": next(MESSAGE_IDS),
                "from": user.user_json,
                "chat": user.state.chat,
                "date": int(time.time()),
                "text": f"/{name}",
                "entities": [{"type": "bot_command", "offset": 0, "length": len(name) + 1}],
            }
        }
        before = len(user.state.messages)
        await self.feed(kind, raw, user.chat_id)
        # /menu sends a new message each time: keep the chats of the fake server small.
        del user.state.messages[before:]

    async def press(self, kind: str | None, user: TgUser, message: ChatMessage, data: str) -> None:
        query_id = self.api.new_callback_query(user.chat_id)
        raw = {
            "callback_query": {
                "id": query_id,
                "from": user.user_json,
                "message": message.raw,
                "chat_instance": str(user.chat_id),
                "data": data,
            }
        }
        await self.feed(kind, raw, user.chat_id)
        self.api.callback_answers.pop(query_id, None)
        self.api._callback_chats.pop(query_id, None)


class Mix:
    def __init__(
        self,
        feeder: Feeder,
        teachers: list[Teacher],
        readers: list[Reader],
        students: list[Reader],
        ann_id: int,
        college: BuiltCollege,
        rng: random.Random,
    ) -> None:
        self.feeder, self.teachers, self.readers = feeder, teachers, readers
        self.students, self.ann_id, self.college, self.rng = students, ann_id, college, rng
        self.kinds = [k for k, n in MIX.items() for _ in range(n)]
        self.days = [college.today - timedelta(days=d) for d in range(0, 120)]
        self.unacknowledged = [r for r in students]
        rng.shuffle(self.unacknowledged)

    async def one(self, counted: bool = True) -> None:
        kind = self.rng.choice(self.kinds)
        if kind == "ack" and not self.unacknowledged:
            kind = "menu"
        label = kind if counted else None
        rng, f = self.rng, self.feeder
        if kind in ("tap", "lesson", "grade"):
            t = rng.choice(self.teachers)
            if kind == "tap":
                student = rng.choice(t.students)
                seen = t.marks.get(student, Mark.PRESENT)
                t.marks[student] = next_mark(seen)
                data = MarkCb(lesson=t.lesson_id, student=student, seen=MARK_CODES[seen])
                await f.press(label, t.user, t.card, data.pack())
            elif kind == "lesson":
                await f.press(label, t.user, t.card, LessonCb(id=t.lesson_id).pack())
            else:
                student = rng.choice(t.students)
                value = rng.choice(["5", "4", "3"])
                data = GradeCb(lesson=t.lesson_id, student=student, act=value)
                await f.press(label, t.user, t.sheet, data.pack())
        elif kind == "menu":
            who = (
                rng.choice(self.teachers).user
                if rng.random() < 0.3
                else rng.choice(self.readers).user
            )
            await f.command(label, who, "menu")
        elif kind in ("day", "week"):
            reader = rng.choice(self.readers)
            assert reader.diary is not None
            act = DiaryAction.DAY if kind == "day" else DiaryAction.WEEK
            data = DiaryCb(act=act, day=day_code(rng.choice(self.days)))
            await f.press(label, reader.user, reader.diary, data.pack())
        else:
            reader = self.unacknowledged.pop()
            assert reader.diary is not None
            data = AnnCb(act=AnnouncementAction.ACK, ann=self.ann_id)
            await f.press(label, reader.user, reader.diary, data.pack())


async def open_screens(api: FakeBotAPI, college: BuiltCollege) -> list[Teacher]:
    """What people have open before the measured updates: each teacher with a lesson today its
    register and its grades (two messages), readers their diary."""
    first: dict[int, Any] = {}
    for lesson in college.lessons_today:
        first.setdefault(lesson.teacher_id, lesson)
    teachers = []
    for teacher_id, lesson in first.items():
        user = TgUser(api, college.teachers[teacher_id], "Teacher", language_code="ru")
        await user.command("menu")
        await user.click_data(user.last, LessonCb(id=lesson.lesson_id).pack())
        card = user.last
        await user.command("menu")
        await user.click_data(user.last, LessonCb(id=lesson.lesson_id).pack())
        await user.click_data(
            user.last, LessonCb(id=lesson.lesson_id, do=LessonAction.GRADES).pack()
        )
        teachers.append(Teacher(user, lesson.lesson_id, lesson.student_ids, card, user.last))
    return teachers


async def open_diaries(api: FakeBotAPI, person_ids: list[int]) -> list[Reader]:
    out = []
    for pid in person_ids:
        user = TgUser(api, TELEGRAM_BASE + pid, "Reader", language_code="ru")
        await user.command("menu")
        await user.click_data(user.last, DiaryCb(act=DiaryAction.TODAY).pack())
        out.append(Reader(user, user.last))
    return out


def echo_dispatcher() -> Dispatcher:
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    return dp


async def burst(
    api: FakeBotAPI, dp: Dispatcher, bot: Bot, users: list[TgUser], text_: str
) -> tuple[float, float]:
    """All ``users`` send ``text_`` at once; updates a second and CPU ms per update."""
    updates = []
    for user in users:
        raw = {
            "update_id": next(UPDATE_IDS),
            "message": {
                "message_id": next(MESSAGE_IDS),
                "from": user.user_json,
                "chat": user.state.chat,
                "date": int(time.time()),
                "text": text_,
                "entities": [{"type": "bot_command", "offset": 0, "length": len(text_)}],
            },
        }
        updates.append(Update.model_validate(raw, context={"bot": bot}))
    sizes = {u.chat_id: len(u.state.messages) for u in users}
    mark = len(api.requests)
    gc.collect()
    cpu = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(dp.feed_update(bot, u) for u in updates))
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    sent = [r for r in api.requests[mark:] if r.method == "sendMessage" and r.ok]
    if len(sent) < len(users):
        print(f"burst: only {len(sent)} of {len(users)} answered")
    del api.requests[:]
    for user in users:
        del user.state.messages[sizes[user.chat_id] :]
    return len(users) / wall, cpu * 1000 / len(users)


def line(name: str, values: Sequence[float]) -> str:
    if not values:
        return f"{name:<8} —"
    return (
        f"{name:<8} n {len(values):5}   p50 {percentile(values, 50):6.1f}   "
        f"p95 {percentile(values, 95):6.1f}   max {max(values):7.1f}"
    )


async def main(args: argparse.Namespace) -> int:
    size = Size(groups=args.groups, group_size=args.group_size, teachers=args.teachers,
                days=args.days, seed=args.seed)  # fmt: skip
    workdir = tempfile.TemporaryDirectory(prefix="journal-bench-")
    url = f"sqlite+aiosqlite:///{workdir.name}/journal.sqlite3"
    clock = time.perf_counter()
    # Built in a process of its own, so the bulk inserts' memory is not counted in the RSS.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        built = pool.submit(build, url, size).result()
    college, ann_id, reader_ids = built
    engine = create_engine(url)
    print(
        f"college: {size.groups * size.group_size} students in {size.groups} groups, "
        f"{size.teachers} teachers, {college.rows['lessons']} lessons, "
        f"{len(reader_ids)} student and parent accounts; "
        f"built in {time.perf_counter() - clock:.0f} s"
    )
    rng = random.Random(args.seed)
    session_factory = create_session_factory(engine)
    figures = Figures()
    server = ServerCPU()
    fake = FakeBotAPI()
    fake.middlewares.append(server.meter)
    async with fake as api:
        settings = Settings(bot_token=api.token, telegram_api_url=api.base_url, database_url=url)
        i18n = create_i18n(settings.default_locale)
        bot = api.make_bot()
        dp = create_dispatcher(settings, session_factory, i18n)
        dp["i18n"] = i18n
        dp["clock"] = lambda: college.now
        api.attach(dp, bot)
        teachers = await open_screens(api, college)
        n_students = size.groups * size.group_size
        # Students' person ids come first in reader_ids, parents' after them.
        chosen = rng.sample(reader_ids[:n_students], args.readers // 2)
        chosen += rng.sample(reader_ids[n_students:], args.readers - len(chosen))
        readers = await open_diaries(api, chosen)
        student_ids = set(reader_ids[:n_students])
        students = [r for r in readers if r.user.id - TELEGRAM_BASE in student_ids]
        api.requests.clear()
        gc.collect()
        rss_ready = rss_mb()
        feeder = Feeder(api, dp, bot, figures, server)
        mix = Mix(feeder, teachers, readers, students, ann_id, college, rng)
        for _ in range(args.warmup):
            await mix.one(counted=False)
        for _ in range(args.updates):
            await mix.one()

        # The burst, against the bare echo bot through the same server.
        echo_bot = api.make_bot(raw=True)
        echo = echo_dispatcher()
        crowd = [t.user for t in teachers] + [r.user for r in readers]
        crowd = (crowd * (args.burst // len(crowd) + 1))[: args.burst]
        ours, theirs, ours_cpu = [], [], []
        for _ in range(args.rounds):
            rate, cpu = await burst(api, dp, bot, crowd, "/menu")
            ours.append(rate)
            ours_cpu.append(cpu)
            theirs.append((await burst(api, echo, echo_bot, crowd, "/menu"))[0])
            figures.handled += len(crowd)

        while figures.handled < args.total:
            await mix.one(counted=False)
        gc.collect()
        rss = rss_mb()
    await engine.dispose()
    workdir.cleanup()

    print(f"mix: {args.updates} updates timed after {args.warmup} warm-up, one at a time")
    print("CPU per update, ms (the process: bot and fake server):")
    for kind in MIX:
        print("  " + line(kind, figures.cpu.get(kind, [])))
    print("CPU per update, ms (the bot: the fake server's request handling taken out):")
    for kind in MIX:
        print("  " + line(kind, figures.bot_cpu.get(kind, [])))
    print("update → edit received by the server, ms:")
    for kind in MIX:
        if figures.to_edit.get(kind):
            print("  " + line(kind, figures.to_edit[kind]))
    ours_rate, echo_rate = statistics.median(ours), statistics.median(theirs)
    print(
        f"/menu burst of {len(crowd)} at once ({args.rounds} rounds, medians): "
        f"{ours_rate:.0f} updates/s ({statistics.median(ours_cpu):.1f} ms CPU each), "
        f"echo bot {echo_rate:.0f} updates/s, ratio {ours_rate / echo_rate:.2f}"
    )
    print(f"RSS after {figures.handled} updates: {rss:.0f} MB ({rss_ready:.0f} MB before them)")
    for failure in figures.failures[:5]:
        print(f"failed: {failure}")
    if figures.failures:
        print(f"failures: {len(figures.failures)}")
    verdicts = []
    for kind, target in TARGETS.items():
        for name, cpu in (("process", figures.cpu), ("bot", figures.bot_cpu)):
            p50 = percentile(cpu[kind], 50) if cpu.get(kind) else float("inf")
            verdicts.append((f"CPU {kind} p50 ≤ {target:g} ms ({name})", p50 <= target))
    taps = figures.to_edit.get("tap", [])
    verdicts.append(("tap → edit p95 ≤ 15 ms", bool(taps) and percentile(taps, 95) <= 15))
    verdicts.append(("/menu burst ≥ 0.3 of the echo bot", ours_rate / echo_rate >= 0.3))
    verdicts.append(("RSS ≤ 200 MB", rss <= 200))
    for name, ok in verdicts:
        print(f"target {name}: {'met' if ok else 'MISSED'}")
    return 0 if all(ok for _n, ok in verdicts) and not figures.failures else 1


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = Size()
    parser.add_argument("--groups", type=int, default=default.groups)
    parser.add_argument("--group-size", type=int, default=default.group_size)
    parser.add_argument("--teachers", type=int, default=default.teachers)
    parser.add_argument("--days", type=int, default=default.days, help="working days of lessons")
    parser.add_argument("--readers", type=int, default=400, help="students and parents reading")
    parser.add_argument("--updates", type=int, default=2000, help="timed updates of the mix")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--burst", type=int, default=165, help="people sending /menu at once")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--total", type=int, default=10_000, help="updates before RSS is read")
    parser.add_argument("--seed", type=int, default=default.seed)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
