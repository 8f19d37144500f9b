"""The daily digest (for the kinds a person set to "digest") and the weekly summary.

The daily digest at ``digest_hour`` (college time) covers the events the notifier handled in
the 24 hours before it, merged per grade or mark so it reports final values. The weekly
summary, on ``weekly_weekday`` at the same hour, reads the journal itself: the grades and the
absences or lateness of the seven days ending that day. Each digest has a dedup key per
person, chat and date, so running the job again (every few minutes, after a restart) queues
nothing twice; a digest more than ``CATCH_UP`` late is skipped as stale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import Settings
from core.i18n import use_locale
from services.diary import adults
from services.notifications import prefs
from services.notifications.facts import FACT_EVENTS, Fact, facts_of, net
from services.notifications.notifier import completed, locale_for
from services.notifications.quiet_hours import latest_local, release_time
from storage import notify as people
from storage import outbox as q
from storage.models import utcnow
from storage.notify import Account, WeekGrade, WeekMark

CATCH_UP = timedelta(hours=12)
DAILY = "digest.daily"
WEEKLY = "digest.weekly"


@dataclass(frozen=True)
class Section:
    """One student's part of a digest; ``name`` None when the student reads it themself."""

    name: str | None
    facts: Sequence[Fact] = ()
    grades: Sequence[WeekGrade] = ()
    marks: Sequence[WeekMark] = ()


# The texts, in the current locale: (day, sections) and (first day, last day, sections).
DailyText = Callable[[date, Sequence[Section]], str]
WeeklyText = Callable[[date, date, Sequence[Section]], str]


async def make_digests(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    daily_text: DailyText,
    weekly_text: WeeklyText,
    now: datetime | None = None,
) -> int:
    """Queue the digests that are due and not queued yet; returns how many were queued."""
    now = now or utcnow()
    async with session_factory() as session:
        orgs = [(org.id, ZoneInfo(org.timezone)) for org in await q.organisations(session)]
    queued = 0
    for org_id, tz in orgs:
        async with session_factory.begin() as session:
            queued += await daily(session, settings, org_id, tz, now, daily_text)
        async with session_factory.begin() as session:
            queued += await weekly(session, settings, org_id, tz, now, weekly_text)
    return queued


async def daily(
    session: AsyncSession,
    settings: Settings,
    org_id: int,
    tz: ZoneInfo,
    now: datetime,
    text_of: DailyText,
) -> int:
    end = latest_local(now, tz, settings.notifications.digest_hour)
    if now - end > CATCH_UP:
        return 0
    choosers = await people.people_choosing(session, org_id, prefs.EVENT_KINDS, prefs.DIGEST)
    day = end.astimezone(tz).date()
    todo = await _not_queued(session, choosers, "d", day)
    if not todo:
        return 0
    whose = await _visible(
        session,
        settings,
        tz,
        now,
        await people.students_of(session, {a.person_id for a, _ in todo}),
    )
    events = await q.events_processed_between(
        session, org_id, FACT_EVENTS, end - timedelta(days=1), end
    )
    facts: dict[int, list[Fact]] = {}
    for event in events:
        for fact in facts_of(event):
            done = await completed(session, fact)
            if done is not None:
                facts.setdefault(done.student_id, []).append(done)
    news = {student_id: net(found) for student_id, found in facts.items()}
    names = await people.first_names(session, _students(whose))
    queued = 0
    for account, key in todo:
        kinds = choosers[account.person_id]
        sections = [
            Section(names.get(sid, "") if as_parent else None, facts=wanted)
            for sid, as_parent in whose.get(account.person_id, [])
            if (wanted := [f for f in news.get(sid, []) if f.kind in kinds])
        ]
        if sections:
            with use_locale(locale_for(account.language, settings)):
                text = text_of(day, sections)
            queued += await _queue(session, settings, tz, now, org_id, account, key, DAILY, text)
    return queued


async def _visible(
    session: AsyncSession,
    settings: Settings,
    tz: ZoneInfo,
    now: datetime,
    whose: dict[int, list[tuple[int, bool]]],
) -> dict[int, list[tuple[int, bool]]]:
    """Leave out, for parents, adult students who have not allowed it (§1.6)."""
    ids = {sid for pairs in whose.values() for sid, _parent in pairs}
    cut = await adults.parents_cut_off(
        session, ids, settings.adults.parents, now.astimezone(tz).date()
    )
    return {
        pid: [(sid, parent) for sid, parent in pairs if not (parent and sid in cut)]
        for pid, pairs in whose.items()
    }


async def weekly(
    session: AsyncSession,
    settings: Settings,
    org_id: int,
    tz: ZoneInfo,
    now: datetime,
    text_of: WeeklyText,
) -> int:
    cfg = settings.notifications
    end = latest_local(now, tz, cfg.digest_hour, weekday=cfg.weekly_weekday)
    if now - end > CATCH_UP:
        return 0
    choosers = await people.people_choosing(session, org_id, [prefs.WEEKLY], prefs.ON)
    last = end.astimezone(tz).date()
    todo = await _not_queued(session, choosers, "w", last)
    if not todo:
        return 0
    first = last - timedelta(days=6)
    whose = await _visible(
        session,
        settings,
        tz,
        now,
        await people.students_of(session, {a.person_id for a, _ in todo}),
    )
    student_ids = _students(whose)
    grades = await people.week_grades(session, student_ids, first, last)
    marks = await people.week_marks(session, student_ids, first, last)
    names = await people.first_names(session, student_ids)
    queued = 0
    for account, key in todo:
        sections = [
            Section(
                names.get(sid, "") if as_parent else None,
                grades=[g for g in grades if g.student_id == sid],
                marks=[m for m in marks if m.student_id == sid],
            )
            for sid, as_parent in whose.get(account.person_id, [])
        ]
        if sections:
            with use_locale(locale_for(account.language, settings)):
                text = text_of(first, last, sections)
            queued += await _queue(session, settings, tz, now, org_id, account, key, WEEKLY, text)
    return queued


async def _not_queued(
    session: AsyncSession, choosers: dict[int, set[str]], tag: str, day: date
) -> list[tuple[Account, str]]:
    """The accounts of ``choosers`` with the digest's key, minus those already queued."""
    accounts = await people.active_accounts(session, choosers.keys())
    keyed = [
        (account, f"digest:{tag}:{account.person_id}:{account.chat_id}:{day.isoformat()}")
        for found in accounts.values()
        for account in found
    ]
    done = await q.existing_keys(session, [key for _, key in keyed])
    return [(account, key) for account, key in keyed if key not in done]


def _students(whose: dict[int, list[tuple[int, bool]]]) -> set[int]:
    return {sid for pairs in whose.values() for sid, _ in pairs}


async def _queue(
    session: AsyncSession,
    settings: Settings,
    tz: ZoneInfo,
    now: datetime,
    org_id: int,
    account: Account,
    key: str,
    kind: str,
    text: str,
) -> int:
    cfg = settings.notifications
    queued = await q.enqueue_once(
        session,
        org_id=org_id,
        dedup_key=key,
        person_id=account.person_id,
        chat_id=account.chat_id,
        kind=kind,
        subject="",
        text=text,
        not_before=release_time(now, tz, cfg.quiet_from, cfg.quiet_to),
        created_at=now,
    )
    return int(queued)
