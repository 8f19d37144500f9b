"""How long one deadline scan takes on a college of 3,000 students, over one year of history
and over ten, on SQLite.

    python bench/reminders.py              # both sizes (or: python -m bench.reminders)
    python bench/reminders.py --years 1    # one size

The store is built once per size with bulk inserts (bench/reminders_data.py) and kept in
``bench/out``. Each size is timed at the busiest moment of a week: Monday 28 June 2027 at
11:00, when the teachers', curators', administrators' and the deputy's daily and weekly digests
are all due and the spring period ends on Wednesday (attestation grades). Three scans: the first
(everything worked out and queued), the same after a restart (worked out again, nothing sent:
the keys are there), and an idle one at 13:00 (nothing due). Then each slot's rules alone.
The figures are printed; no test asserts them.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

import argparse
import asyncio
import time
from collections.abc import Sequence
from datetime import datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import text

from bench.reminders_data import TODAY, TZ, Size, build
from bot.jobs import scan_reminders
from core.config import Settings
from core.i18n import create_i18n
from services.calendar.workdays import WorkCalendar, load_work_calendar
from services.reminders import deadlines as rules
from services.reminders.rules import Context
from services.reminders.scan import COLLECTORS, ScanMemo
from storage.db import create_engine, create_session_factory, migrate

OUT = Path(__file__).resolve().parent / "out"


def _local(hour: int) -> datetime:
    return datetime.combine(TODAY, clock(hour), tzinfo=TZ)


async def prepare(years: int) -> tuple[str, float, dict[str, int] | None]:
    """The store of ``years`` years, built unless it is there already."""
    path = OUT / f"reminders-{years}y.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    if path.exists():
        return url, 0.0, None
    OUT.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    await migrate(f"sqlite+aiosqlite:///{partial}")
    started = time.perf_counter()
    engine = create_sync_engine(f"sqlite:///{partial}")
    built = await asyncio.to_thread(build, engine, Size(years=years))
    engine.dispose()
    partial.rename(path)  # only a whole store is kept for the next run
    return url, time.perf_counter() - started, built.rows


async def measure(years: int) -> None:
    url, build_seconds, rows = await prepare(years)
    path = Path(url.removeprefix("sqlite+aiosqlite:///"))
    mib = (await asyncio.to_thread(path.stat)).st_size / 2**20
    print(f"\n== {years} year(s) of history: {path.name}, {mib:.0f} MiB")
    if rows is not None:
        big = sorted(rows.items(), key=lambda kv: -kv[1])[:8]
        print(f"built in {build_seconds:.1f} s: " + ", ".join(f"{t} {n:,}" for t, n in big))
    engine = create_engine(url)
    factory = create_session_factory(engine)
    settings = Settings(bot_token=None, database_url=url)
    try:
        # Undo an earlier run's reminders of this day, so the first scan has its work to do.
        async with engine.begin() as conn:
            day = TODAY.isoformat()
            await conn.execute(text("DELETE FROM sent_reminders WHERE for_date = :d"), {"d": day})
            await conn.execute(
                text("DELETE FROM outbox_messages WHERE created_at >= :t"),
                {"t": _local(0).astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")},
            )
        WorkCalendar().is_working_day(TODAY)  # the production calendar loads once a process
        for label, hour, memo in (
            ("busy scan, everything due", 11, ScanMemo()),
            ("same after a restart", 11, ScanMemo()),
            ("idle scan, nothing due", 13, ScanMemo()),
        ):
            started = time.perf_counter()
            report = await scan_reminders(factory, settings, now=_local(hour), memo=memo)
            took = time.perf_counter() - started
            print(
                f"{label:<28} {took * 1000:7.0f} ms   {report.queued} messages, "
                f"{report.sections} reminders, {len(report.slots)} slots"
            )
        await per_slot(factory, settings)
    finally:
        await engine.dispose()


async def per_slot(factory: object, settings: Settings) -> None:
    now = _local(11)
    async with factory() as session:  # type: ignore[operator]
        cal = await load_work_calendar(session, 1)
        ctx = Context(1, TZ, cal, settings, now, TODAY)
        for slot in rules.due_slots(now, ctx.hours, cal):
            started = time.perf_counter()
            found = await COLLECTORS[slot.kind](session, ctx)
            took = time.perf_counter() - started
            items = sum(len(s.items) for sections in found.values() for s in sections)
            print(
                f"  {slot.kind.value:<10} {took * 1000:6.0f} ms   {len(found)} people, "
                f"{items} items"
            )


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, action="append", help="1 and 10 by default")
    args = parser.parse_args(argv)
    create_i18n("ru")
    for years in args.years or [1, 10]:
        await measure(years)


if __name__ == "__main__":
    asyncio.run(main())
