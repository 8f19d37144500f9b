"""How long monitoring takes for a semester of a college of 3,000 students, on SQLite (or on
the EMPTY database ``--database-url`` names): the summary, the workbook and the chart.

    python bench/monitoring.py                  # 120 groups × 25 students, a school year
    python bench/monitoring.py --days 60        # smaller and quicker
    python bench/monitoring.py --database-url postgresql+asyncpg://postgres@127.0.0.1/empty_db
    python bench/monitoring.py --pg postgresql+asyncpg://postgres@127.0.0.1/empty_db   # region

The college is bench/college.py's; the semester is the one holding "today" (the last day
built), up to today. Each figure is the best of three runs, then all three; they are printed,
no test asserts them. Targets (issue 10): summary ≤ 1 s, workbook ≤ 3 s, chart ≤ 2 s on SQLite.

``--pg URL`` (an EMPTY PostgreSQL database) times the region instead: ``--colleges`` (20) such
colleges of a month of lessons each (60,000 students), built with bulk inserts, and a regional
specialist monitoring them all: the region's summary and its workbook (R3–R8 included) for the
month. Target: ≤ 5 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from datetime import time as dt_time

from sqlalchemy import func, insert, select
from sqlalchemy import text as sql

from bench.college import SPRING_START, TZ, YEAR_START, Size, build_college, working_days
from core.i18n import create_i18n, use_locale
from screens import monitoring as text
from screens import region as region_text
from screens.monitoring_book import region_to_xlsx, to_xlsx
from screens.monitoring_chart import to_png
from services.calendar.workdays import load_work_calendar
from services.monitoring import indicators, items, region
from services.monitoring.span import Span
from storage.db import create_engine, create_session_factory, migrate
from storage.models import Organisation, RegionalScope

RUNS = 3


async def _timed(what: str, run: Callable[[], Awaitable[object]]) -> None:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    runs = ", ".join(f"{t:.2f}" for t in times)
    print(f"{what:<10} best {min(times):.2f} s   (runs: {runs})")


async def region_bench(args: argparse.Namespace) -> int:
    size = Size(groups=args.groups, days=args.region_days, processed_updates=0)
    await migrate(args.pg)
    engine = create_engine(args.pg)
    started = time.perf_counter()
    async with engine.connect() as conn:
        built_before = await conn.scalar(select(func.count()).select_from(Organisation))
    if built_before:  # a region built by an earlier run (it takes a while): measure it again
        print(f"region: {built_before} colleges built before")
    else:
        built = [await build_college(engine, size, n) for n in range(1, args.colleges + 1)]
        lessons = sum(b.rows["lessons"] for b in built)
        print(
            f"region: {args.colleges} colleges, {args.colleges * size.groups * size.group_size:,}"
            f" students, {lessons:,} lessons; built in {time.perf_counter() - started:.0f} s"
        )
        specialist = min(built[0].teachers)  # a teacher of the first college: all of them
        async with engine.begin() as conn:
            rows = [{"person_id": specialist, "org_id": b.org_id} for b in built]
            await conn.execute(insert(RegionalScope), rows)
    async with engine.connect() as conn:
        specialist = int(await conn.scalar(select(func.min(RegionalScope.person_id))) or 0)
    # Statistics as a store in service has them (autovacuum); bulk inserts leave none.
    async with engine.connect() as conn:
        await conn.execute(sql("ANALYZE"))
        await conn.commit()
    days = working_days(size.days)
    span = Span(days[0], days[-1])
    print(f"month: {span.first} – {span.last} ({engine.dialect.name})")
    factory = create_session_factory(engine)
    now = datetime.combine(days[-1], dt_time(11), TZ)

    async def summary() -> region.Region:
        async with factory() as session:
            found = await region.region_of(session, specialist, span, now)
        region_text.summary(found)
        return found

    async def workbook() -> None:
        async with factory() as session:
            found = await region.region_of(session, specialist, span, now, book=True)
        await asyncio.to_thread(region_to_xlsx, found)

    found = await summary()
    print(f"lessons judged: {found.total.lessons:,}")
    with use_locale("ru"):
        await _timed("region", summary)
        await _timed("workbook", workbook)
    await engine.dispose()
    return 0


async def main(args: argparse.Namespace) -> int:
    if args.pg:
        return await region_bench(args)
    size = Size(groups=args.groups, days=args.days)
    workdir = tempfile.TemporaryDirectory(prefix="journal-bench-")
    url = args.database_url or f"sqlite+aiosqlite:///{workdir.name}/journal.sqlite3"
    await migrate(url)
    engine = create_engine(url)
    started = time.perf_counter()
    college = await build_college(engine, size)
    rows = college.rows
    print(
        f"college: {size.groups * size.group_size} students, {rows['lessons']:,} lessons, "
        f"{rows.get('attendance', 0):,} marks, {rows.get('grades', 0):,} grades; "
        f"built in {time.perf_counter() - started:.0f} s"
    )
    first = SPRING_START if college.today >= SPRING_START else YEAR_START
    span = Span(first, college.today)
    print(f"semester: {span.first} – {span.last} ({engine.dialect.name})")
    factory = create_session_factory(engine)

    async def lessons_judged() -> indicators.Monitoring:
        """R1, R2 and R9 lesson by lesson: what the chart draws."""
        async with factory() as session:
            cal = await load_work_calendar(session, college.org_id)
            return await indicators.of_org(
                session, college.org_id, TZ.key, cal, span, college.today, "Bench college"
            )

    async def summary() -> indicators.Monitoring:
        """Every rule, R3–R8 item by item too: what the bot's summary and the workbook show."""
        async with factory() as session:
            cal = await load_work_calendar(session, college.org_id)
            found = await indicators.of_org(
                session, college.org_id, TZ.key, cal, span, college.today, "Bench college"
            )
            judged = await items.judged(session, college.org_id, TZ.key, cal, span, college.today)
        items.add_items(found, judged)
        text.summary(found)
        return found

    monitoring = await summary()
    print(
        f"lessons judged: {monitoring.college.lessons:,}, teachers {len(monitoring.teachers)}, "
        f"groups {len(monitoring.groups)}, disciplines {len(monitoring.disciplines)}"
    )

    async def workbook() -> None:
        await asyncio.to_thread(to_xlsx, await summary())

    async def chart() -> None:
        await asyncio.to_thread(to_png, indicators.weekly(await lessons_judged()))

    with use_locale("ru"):
        await _timed("summary", summary)
        await _timed("workbook", workbook)  # the summary's reading included
        await _timed("chart", chart)  # the lessons' reading included
    await engine.dispose()
    workdir.cleanup()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=Size.groups)
    parser.add_argument("--days", type=int, default=Size.days)
    parser.add_argument("--database-url", help="an EMPTY database (default: a temporary SQLite)")
    parser.add_argument("--pg", help="an EMPTY PostgreSQL database: time the region instead")
    parser.add_argument("--colleges", type=int, default=20, help="with --pg")
    parser.add_argument(
        "--region-days", type=int, default=22, help="with --pg: working days built, a month"
    )
    create_i18n("ru")
    sys.exit(asyncio.run(main(parser.parse_args())))
