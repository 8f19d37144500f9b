"""Fan-out of notifications through the fake Bot API with Telegram's limits enforced.

    python bench/fanout.py                  # 5,000 messages to 5,000 parents, ~6 minutes
    python bench/fanout.py --count 300      # a quick look while developing

Two runs, each on a fresh SQLite store in bench/out/ (or ``--database-url``, an empty
database: it is migrated and each run adds its own college):

1. steady: queue one message for each of ``count`` linked parents and let the sender drain
   them. Prints messages per second sustained (first to last accepted message), the 429s
   received, and the messages lost or doubled (counted per chat on the fake server).
   Target: ≥ 27 msg/s, no 429s, none lost, none doubled.
2. crash: the same, but the sender task is cancelled abruptly half-way (while the fake
   server is taking a message, so at least that one is in flight) and a new sender started
   on the same store. Target: none lost, doubles ≤ the messages in flight at the
   crash (Telegram had them, the store had not marked them sent yet).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from the repository root
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker  # noqa: E402

from handlers.sender import Limits, Sender  # noqa: E402
from storage.db import create_engine, create_session_factory, migrate  # noqa: E402
from storage.models import (  # noqa: E402
    Organisation,
    OutboxMessage,
    OutboxStatus,
    Person,
    TelegramAccount,
    utcnow,
)
from tests.fakebot import FakeBotAPI  # noqa: E402

OUT = ROOT / "bench" / "out"
Factory = async_sessionmaker[AsyncSession]


@dataclass
class Figures:
    queued: int
    accepted: int
    seconds: float
    too_many: int
    lost: int
    doubled: int

    @property
    def rate(self) -> float:
        return (self.accepted - 1) / self.seconds if self.seconds > 0 else 0.0


async def bulk(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 2000):
        await session.execute(insert(model), rows[start : start + 2000])


async def seed(factory: Factory, api: FakeBotAPI, tag: str, count: int, first_chat: int) -> None:
    """``count`` parents with linked, opened chats, and one grade message queued for each."""
    chats = list(range(first_chat, first_chat + count))
    async with factory.begin() as session:
        org = Organisation(code=f"fanout-{tag}-{first_chat}", name="Fan-out college")
        session.add(org)
        await session.flush()
        await bulk(
            session,
            Person,
            [
                {"org_id": org.id, "external_id": f"p{c}", "last_name": "P", "first_name": "R"}
                for c in chats
            ],
        )
        ids = (
            await session.scalars(
                select(Person.id).where(Person.org_id == org.id).order_by(Person.id)
            )
        ).all()
        await bulk(
            session,
            TelegramAccount,
            [
                {"telegram_user_id": c, "chat_id": c, "person_id": p}
                for c, p in zip(chats, ids, strict=True)
            ],
        )
        now = utcnow()
        await bulk(
            session,
            OutboxMessage,
            [
                {
                    "org_id": org.id,
                    "dedup_key": f"bench:{tag}:{c}",
                    "person_id": p,
                    "chat_id": c,
                    "kind": "grades",
                    "subject": f"grade:{c}",
                    "text": f"📘 Anna: new grade <b>5</b>\nMathematics, lesson of {c % 28 + 1} May",
                    "not_before": now,
                    "created_at": now,
                }
                for c, p in zip(chats, ids, strict=True)
            ],
        )
    for chat in chats:
        api.open_chat(chat)


def received(api: FakeBotAPI) -> Counter[int]:
    return Counter(m.chat_id for chat in api.chats.values() for m in chat.messages if m.from_bot)


async def pending(factory: Factory, tag: str) -> int:
    async with factory() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.dedup_key.like(f"bench:{tag}:%"),
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        )
        return int(found or 0)


async def sent_chats(factory: Factory, tag: str) -> set[int]:
    async with factory() as session:
        rows = await session.scalars(
            select(OutboxMessage.chat_id).where(
                OutboxMessage.dedup_key.like(f"bench:{tag}:%"),
                OutboxMessage.status == OutboxStatus.SENT,
            )
        )
        return set(rows.all())


async def until(check: Any, label: str, total: int, api: FakeBotAPI) -> None:
    shown = time.monotonic()
    while not await check():
        await asyncio.sleep(0.2)
        if time.monotonic() - shown >= 10:
            shown = time.monotonic()
            print(f"  {label}: {sum(received(api).values())}/{total} received", flush=True)


def figures(api: FakeBotAPI, count: int) -> Figures:
    accepted = [r for r in api.calls("sendMessage") if r.ok]
    seconds = accepted[-1].time - accepted[0].time if len(accepted) > 1 else 0.0
    per_chat = received(api)
    return Figures(
        queued=count,
        accepted=len(accepted),
        seconds=seconds,
        too_many=api.too_many_requests,
        lost=count - len(per_chat),
        doubled=sum(n - 1 for n in per_chat.values() if n > 1),
    )


async def steady(factory: Factory, count: int, limits: Limits) -> Figures:
    async with FakeBotAPI(enforce_limits=True) as api:
        await seed(factory, api, "steady", count, 10_000_001)
        stop = asyncio.Event()
        task = asyncio.create_task(Sender(api.make_bot(), factory, limits=limits).run(stop))

        async def drained() -> bool:
            return await pending(factory, "steady") == 0

        await until(drained, "steady", count, api)
        stop.set()
        await task
        return figures(api, count)


async def crash(factory: Factory, count: int, limits: Limits) -> tuple[Figures, int]:
    async with FakeBotAPI(enforce_limits=True) as api:
        await seed(factory, api, "crash", count, 20_000_001)
        task = asyncio.create_task(
            Sender(api.make_bot(), factory, limits=limits).run(asyncio.Event())
        )
        post, posted = api.post_bot_message, [0]

        def crash_half_way(*args: Any, **kwargs: Any) -> Any:
            message = post(*args, **kwargs)
            posted[0] += 1
            if posted[0] == count // 2:
                # The process dies while Telegram takes a message, before the answer.
                task.cancel()
            return message

        api.post_bot_message = crash_half_way  # type: ignore[method-assign]
        shown = time.monotonic()
        while not task.done():
            await asyncio.sleep(0.05)
            if time.monotonic() - shown >= 10:
                shown = time.monotonic()
                print(f"  crash, first sender: {posted[0]}/{count} received", flush=True)
        await asyncio.gather(task, return_exceptions=True)
        api.post_bot_message = post  # type: ignore[method-assign]
        in_flight = len(set(received(api)) - await sent_chats(factory, "crash"))
        print(f"  killed the sender; in flight at the crash: {in_flight}", flush=True)
        stop = asyncio.Event()
        task = asyncio.create_task(Sender(api.make_bot(), factory, limits=limits).run(stop))

        async def drained() -> bool:
            return await pending(factory, "crash") == 0

        await until(drained, "crash, second sender", count, api)
        stop.set()
        await task
        return figures(api, count), in_flight


def report(name: str, f: Figures) -> None:
    print(
        f"{name}: {f.accepted} accepted for {f.queued} queued in {f.seconds:.1f} s: "
        f"{f.rate:.1f} msg/s sustained, {f.too_many} × 429, {f.lost} lost, {f.doubled} doubled"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="recipients (default 5000)")
    parser.add_argument("--database-url", default="", help="an empty database instead of SQLite")
    parser.add_argument("--per-second", type=int, default=Limits().per_second)
    args = parser.parse_args()
    url = args.database_url
    if not url:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "fanout.sqlite3"
        for leftover in OUT.glob("fanout.sqlite3*"):
            leftover.unlink()
        url = f"sqlite+aiosqlite:///{path}"
    await migrate(url)
    engine = create_engine(url)
    factory = create_session_factory(engine)
    limits = Limits(per_second=args.per_second)
    try:
        print(f"steady run: {args.count} messages, limit {limits.per_second}/s", flush=True)
        report("steady", await steady(factory, args.count, limits))
        print(f"crash run: {args.count} messages, the sender killed half-way", flush=True)
        figures_, in_flight = await crash(factory, args.count, limits)
        report("crash", figures_)
        verdict = "ok" if figures_.lost == 0 and figures_.doubled <= in_flight else "NOT OK"
        print(f"crash: doubled {figures_.doubled} ≤ in flight {in_flight}: {verdict}")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
