# ruff: noqa: E402  (the repository root goes on sys.path before the project's imports)
"""Three replicas in webhook mode on one PostgreSQL store, one of them killed half-way.

    python bench/replicas.py                      # 5,000-message announcement, 32 teachers
    python bench/replicas.py --teachers 16 --pace 0   # teachers tapping without pause
    python bench/replicas.py --count 600 --teachers 4 --students 10   # a quick look
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@db/bench python bench/replicas.py

The database (``--database-url``, else ``BENCH_DATABASE_URL``, else ``journal_replicas`` on
the local test server) is dropped and created afresh. A synthetic college whose "today" is
today (bench/college.py) goes in, then three real ``journal-bot run`` processes start in
webhook mode behind a round-robin proxy (a stand-in for the TLS proxy of docs/deploy.md), all
talking to the fake Bot API server (tests/fakebot) in limit mode: it answers 429 whenever
Telegram's limits are exceeded. Then at once:

* teachers tap students on today's registers, at a person's pace (``--pace``: a tap every
  0.75 s on average, a brisk teacher going down a register; 0 taps without pause, which
  keeps every core busy and so measures the queue, not the bot) and students open their
  diary every 0.5–2 s (real ``callback_query`` updates posted through the proxy with the
  secret header);
* an announcement of ``--count`` messages to as many parents fans out through the outbox
  (queued as bench/fanout.py queues it);
* when half of it has reached the parents, replica 2 is killed with SIGKILL and started again.

Printed: interactive p50/p95 (a tap or a diary press posted → its screen received by the fake
server), interactive updates a second, announcement messages a second, 429s by limit, lost
and doubled messages, and the messages in flight at the kill (Telegram had them, the store had
not marked them sent). Targets (issue 11): 0 lost, doubled ≤ in flight, 0 × 429, ≥ 27 msg/s,
p95 ≤ 150 ms. Outbox claims and one sender for the whole deployment (docs/replicas.md) are
what make the lost, doubled and 429 figures good; without them every replica sends every
message.
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
import os
import random
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bench.college import TZ, BuiltCollege, Size, build_college, working_days
from bench.fanout import pending, received, seed, sent_chats
from bench.register import open_cards, percentile
from keyboards.diary import DiaryAction, DiaryCb
from keyboards.journal import MARK_CODES, MarkCb
from services.journal.register import next_mark
from storage.db import create_engine, create_session_factory, migrate
from storage.models import Mark, TelegramAccount
from tests.fakebot import ChatMessage, FakeBotAPI, TgUser
from tests.fakebot.process import BotProcess, free_port

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/journal_replicas"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/telegram"
REPLICAS = 3
PARENTS = 30_000_001  # chat ids of the announcement's recipients
STUDENTS = 8_000_000  # Telegram ids of the students who open their diary
ANSWER_WITHIN = 20.0  # an interactive update unanswered this long counts as lost
UPDATE_IDS = count(900_000_000)


class Proxy:
    """Round robin over the replicas; a replica that refuses the connection or answers 503
    (stopping) is skipped for the next one, as a proxy with health checks does."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.turn = 0
        self.client: ClientSession | None = None
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        self.client = ClientSession(timeout=ClientTimeout(total=30))
        app = web.Application()
        app.router.add_post(PATH, self.forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}{PATH}"

    async def forward(self, request: web.Request) -> web.Response:
        assert self.client is not None
        body = await request.read()
        headers = {"Content-Type": "application/json"}
        if SECRET_HEADER in request.headers:
            headers[SECRET_HEADER] = request.headers[SECRET_HEADER]
        for _ in self.ports:
            port = self.ports[self.turn % len(self.ports)]
            self.turn += 1
            try:
                async with self.client.post(
                    f"http://127.0.0.1:{port}{PATH}", data=body, headers=headers
                ) as answer:
                    if answer.status == 503:
                        continue
                    return web.Response(status=answer.status, body=await answer.read())
            except (ClientError, TimeoutError):
                continue
        return web.Response(status=502, text="no replica")

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.close()
        if self.runner is not None:
            await self.runner.cleanup()


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)  # ms, posted → screen received
    posted: list[float] = field(default_factory=list)  # when each answered update was posted
    unanswered: int = 0
    started: float = 0.0
    finished: float = 0.0


async def fresh_database(url: str) -> None:
    parsed = make_url(url)
    server = create_async_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with server.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    await server.dispose()


def days_up_to_today() -> int:
    """Working days of the synthetic year up to today, so the replicas' real clock stands
    on the college's "today" and its registers can be taken."""
    today = datetime.now(TZ).date()
    return max(1, sum(1 for day in working_days(400) if day <= today))


async def post_and_wait(
    api: FakeBotAPI, proxy_url: str, user: TgUser, update: dict[str, Any], load: Load
) -> None:
    """Post one update as Telegram would and time it to the first screen in the chat."""
    loop = asyncio.get_running_loop()
    mark = len(api.requests)
    posted = loop.time()
    status = 0
    for _ in range(5):  # Telegram retries a delivery that failed
        try:
            status = await api.post_update(update, secret=SECRET, url=proxy_url)
        except (ClientError, TimeoutError):
            continue
        if status == 200:
            break
    if status != 200:
        load.unanswered += 1
        return

    def screen() -> Any:
        return next(
            (
                r
                for r in api.requests[mark:]
                if r.chat_id == user.chat_id
                and r.method in ("editMessageText", "sendMessage")
                and r.finished is not None
            ),
            None,
        )

    try:
        await api.wait_until(lambda: screen() is not None, within=ANSWER_WITHIN)
    except AssertionError:
        load.unanswered += 1
        return
    load.latencies.append((screen().time - posted) * 1000)
    load.posted.append(posted)


def callback(user: TgUser, message: ChatMessage, data: str, api: FakeBotAPI) -> dict[str, Any]:
    return {
        "update_id": next(UPDATE_IDS),
        "callback_query": {
            "id": api.new_callback_query(user.chat_id),
            "from": user.user_json,
            "message": message.raw,
            "chat_instance": str(user.chat_id),
            "data": data,
        },
    }


SECRET = secrets.token_urlsafe(24)


async def main(args: argparse.Namespace) -> int:
    url = args.database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    await fresh_database(url)
    await migrate(url)
    engine = create_engine(url)
    factory = create_session_factory(engine)
    clock = time.perf_counter()
    size = Size(
        groups=args.groups,
        teachers=args.groups * 3 // 2,
        days=days_up_to_today(),
        processed_updates=10_000,
    )
    college = await build_college(engine, size)
    students = await link_students(engine, college, args.students)
    print(
        f"college: {size.groups} groups × {size.group_size}, {size.days} working days up to "
        f"{college.today}, {len(college.lessons_today)} lessons today; built in "
        f"{time.perf_counter() - clock:.0f} s",
        flush=True,
    )

    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    ports = [free_port() for _ in range(REPLICAS)]
    proxy = Proxy(ports)
    await proxy.start()
    rng = random.Random(args.seed)
    async with FakeBotAPI(enforce_limits=True, answer_timeout=ANSWER_WITHIN) as api:
        replicas = [replica(api, url, proxy.url, port) for port in ports]
        try:
            for n, process in enumerate(replicas, 1):
                clock = time.perf_counter()
                await process.start()
                print(f"replica {n} up in {time.perf_counter() - clock:.0f} s", flush=True)
            cards = (await open_cards(api, college))[: args.teachers]
            diaries = []
            for _student, tg in students:
                user = TgUser(api, tg, "Student", language_code="ru")
                await user.command("menu")
                diaries.append(user)
            pace = f"a tap every {args.pace:g} s" if args.pace else "without pause"
            print(
                f"{len(cards)} teachers tapping registers ({pace}), {len(diaries)} students "
                f"opening diaries; announcement of {args.count} messages",
                flush=True,
            )
            await seed(factory, api, "announcement", args.count, PARENTS)
            announcement = set(range(PARENTS, PARENTS + args.count))
            load = Load(started=asyncio.get_running_loop().time())
            done = asyncio.Event()
            marks: dict[tuple[int, int], Mark] = {}

            async def teacher(card: Any) -> None:
                while not done.is_set():
                    student = rng.choice(card.lesson.student_ids)
                    key = (card.lesson.lesson_id, student)
                    seen = marks.get(key, Mark.PRESENT)
                    marks[key] = next_mark(seen)
                    data = MarkCb(
                        lesson=card.lesson.lesson_id, student=student, seen=MARK_CODES[seen]
                    ).pack()
                    update = callback(card.user, card.message, data, api)
                    await post_and_wait(api, proxy.url, card.user, update, load)
                    if args.pace:  # a teacher looks up, finds the next student, taps
                        await asyncio.sleep(rng.uniform(0.4 * args.pace, 1.6 * args.pace))

            async def student(user: TgUser) -> None:
                while not done.is_set():
                    message = user.bot_messages[-1]
                    data = DiaryCb(act=DiaryAction.TODAY).pack()
                    await post_and_wait(
                        api, proxy.url, user, callback(user, message, data, api), load
                    )
                    await asyncio.sleep(rng.uniform(0.5, 2.0))  # a person reads the day

            def delivered() -> int:
                return sum(1 for chat in received(api) if chat in announcement)

            async def kill_half_way() -> int:
                await api.wait_until(
                    lambda: delivered() >= args.count // 2, within=3600, what="half the fan-out"
                )
                victim = replicas[1]
                victim.kill()
                assert victim.process is not None
                await victim.process.wait()
                in_flight = len(
                    set(received(api)) & announcement - await sent_chats(factory, "announcement")
                )
                print(
                    f"killed replica 2 with SIGKILL at {delivered()}/{args.count}; "
                    f"in flight: {in_flight}",
                    flush=True,
                )
                replicas[1] = replica(api, url, proxy.url, ports[1])
                clock = time.perf_counter()
                await replicas[1].start()
                print(f"replica 2 back in {time.perf_counter() - clock:.0f} s", flush=True)
                return in_flight

            workers = [asyncio.create_task(teacher(c)) for c in cards]
            workers += [asyncio.create_task(student(u)) for u in diaries]
            killer = asyncio.create_task(kill_half_way())
            shown = time.monotonic()
            while not killer.done() or await pending(factory, "announcement"):
                await asyncio.sleep(0.5)
                if time.monotonic() - shown >= 15:
                    shown = time.monotonic()
                    print(
                        f"  {delivered()}/{args.count} parents reached, "
                        f"{len(load.latencies)} interactive updates answered",
                        flush=True,
                    )
            done.set()
            await asyncio.gather(*workers)
            load.finished = asyncio.get_running_loop().time()
            in_flight = await killer
        finally:
            for process in replicas:
                await process.stop()
            await proxy.stop()
            await engine.dispose()
        report(api, args.count, announcement, load, in_flight)
    return 0


def replica(api: FakeBotAPI, url: str, proxy_url: str, port: int) -> BotProcess:
    env = {
        "DATABASE_URL": url,
        "WEBHOOK_URL": proxy_url,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(port),
        "TIMEZONE": TZ.key,
    }
    return BotProcess(api, env=env, start_timeout=300)


async def link_students(engine: Any, college: BuiltCollege, n: int) -> list[tuple[int, int]]:
    """``n`` students of groups with lessons today get Telegram accounts."""
    picked: list[int] = []
    for lesson in college.lessons_today:
        for sid in lesson.student_ids:
            if sid not in picked and len(picked) < n:
                picked.append(sid)
    async with engine.begin() as conn:
        people = dict(
            (
                await conn.execute(
                    text("SELECT id, person_id FROM students WHERE id = ANY(:ids)"),
                    {"ids": picked},
                )
            ).all()
        )
        if picked:
            await conn.execute(
                insert(TelegramAccount),
                [
                    {
                        "telegram_user_id": STUDENTS + sid,
                        "chat_id": STUDENTS + sid,
                        "person_id": people[sid],
                        "language": "ru",
                    }
                    for sid in picked
                ],
            )
    return [(sid, STUDENTS + sid) for sid in picked]


def report(api: FakeBotAPI, total: int, announcement: set[int], load: Load, in_flight: int) -> None:
    per_chat = received(api)
    ours = {chat: n for chat, n in per_chat.items() if chat in announcement}
    sends = [r for r in api.calls("sendMessage") if r.ok and r.chat_id in announcement]
    seconds = sends[-1].time - sends[0].time if len(sends) > 1 else 0.0
    lost = total - len(ours)
    doubled = sum(n - 1 for n in ours.values())
    wall = load.finished - load.started
    answered = len(load.latencies)
    hits = api.rate_limit_hits
    # The target is about the interactive updates posted while the announcement fans out.
    during = [
        ms
        for ms, at in zip(load.latencies, load.posted, strict=True)
        if sends and at <= sends[-1].time
    ]
    print()
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if load.latencies:
        print(
            f"interactive: {answered} answered, p50 {percentile(load.latencies, 50):.0f} ms, "
            f"p95 {percentile(load.latencies, 95):.0f} ms, max {max(load.latencies):.0f} ms; "
            f"{answered / wall:.1f} updates/s; {load.unanswered} unanswered (lost at the kill "
            f"or slower than {ANSWER_WITHIN:.0f} s)"
        )
    if during:
        print(
            f"interactive during the fan-out: {len(during)}, p50 {percentile(during, 50):.0f} "
            f"ms, p95 {percentile(during, 95):.0f} ms"
        )
    print(
        f"announcement: {len(sends)} accepted for {total} in {seconds:.0f} s: "
        f"{(len(sends) - 1) / seconds if seconds else 0:.1f} msg/s"
    )
    print(
        f"429 from the fake server: {sum(hits.values())} "
        f"(overall {hits['overall']}, private {hits['private']}, group {hits['group']})"
    )
    print(f"lost {lost}, doubled {doubled}, in flight at the kill {in_flight}")
    verdicts = {
        "0 lost": lost == 0,
        "doubled ≤ in flight": doubled <= in_flight,
        "0 × 429": not hits,
        "≥ 27 msg/s": seconds > 0 and (len(sends) - 1) / seconds >= 27,
        "p95 ≤ 150 ms": bool(during) and percentile(during, 95) <= 150,
    }
    print("targets: " + ", ".join(f"{k} {'met' if ok else 'MISSED'}" for k, ok in verdicts.items()))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="the announcement's recipients")
    parser.add_argument("--groups", type=int, default=40, help="groups of 25 in the college")
    parser.add_argument("--teachers", type=int, default=32, help="teachers tapping at once")
    parser.add_argument(
        "--pace",
        type=float,
        default=0.75,
        help="a teacher's mean seconds between taps (0: without pause, a saturation run)",
    )
    parser.add_argument("--students", type=int, default=30, help="students opening diaries")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="PostgreSQL database to create afresh")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
