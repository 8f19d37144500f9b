"""Journal events → messages to parents and students, queued in the outbox.

Each event is handled in its own transaction that queues its messages and marks it processed,
so a crash loses nothing and queues nothing twice. Who is told: the student's parents (active
parent memberships) and the student, each with an active Telegram account linked before the
event happened (a person linked later gets no backlog), and each by their preference for the
kind (services/notifications/prefs.py); "digest" and "off" queue nothing here.

A message waits ``merge_minutes`` before it is due. A later event about the same thing (one
grade, one student's mark on one lesson) supersedes a message still waiting: it becomes MERGED
and one message with the final value replaces it, or none when the value is back where it was
(a grade given and removed at once). Messages due in the quiet hours wait for their end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import SUPPORTED_LOCALES, Settings
from core.i18n import use_locale
from services.diary import adults
from services.notifications import prefs
from services.notifications.facts import Fact, facts_of, merged
from services.notifications.quiet_hours import release_time
from storage import events, journal
from storage import notify as people
from storage import outbox as q
from storage.models import AbsenceJustification, Attendance, Event, Organisation, utcnow
from storage.notify import Family, Recipient

log = logging.getLogger(__name__)

# A waiting message is only merged while it is this far from due, so the sender, which picks
# due messages only, can never be sending the message a merge replaces.
MERGE_MARGIN = timedelta(seconds=15)
BATCH = 200

# The message about a fact, in the current locale: to a parent (the child's first name) or
# to the student themself (None).
Notice = Callable[[Fact, str | None], str]


@dataclass
class _Context:
    settings: Settings
    now: datetime
    notice: Notice
    zones: dict[int, ZoneInfo] = field(default_factory=dict)


async def process_events(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    notice: Notice,
    now: datetime | None = None,
) -> int:
    """Handle every unprocessed event, oldest first; returns how many were handled."""
    ctx = _Context(settings, now or utcnow(), notice)
    handled = 0
    while True:
        async with session_factory() as session:
            batch = await q.unprocessed_events(session, BATCH)
        for event in batch:
            try:
                async with session_factory.begin() as session:
                    await handle_event(session, ctx, event)
            except SQLAlchemyError:
                raise  # the store is unwell: the event stays unprocessed and is tried again
            except Exception:
                # A payload the notifier cannot read would block the queue for good.
                log.exception("event %s (%s) cannot be turned into messages", event.id, event.kind)
                async with session_factory.begin() as session:
                    await q.mark_processed(session, event.id, ctx.now)
            handled += 1
        if len(batch) < BATCH:
            return handled


async def handle_event(session: AsyncSession, ctx: _Context, event: Event) -> None:
    if not await q.mark_processed(session, event.id, ctx.now):
        return  # handled meanwhile by another notifier
    filled = [await completed(session, fact) for fact in facts_of(event)]
    facts = [fact for fact in filled if fact is not None]
    if not facts:
        return
    families = await people.families(session, {fact.student_id for fact in facts})
    person_ids = {r.person_id for f in families.values() for r in f.recipients}
    chosen = await people.preferences_of(session, person_ids)
    tz = await _zone(session, ctx, event.org_id)
    told = await _told_elsewhere(session, event)
    # Parents of an adult student who has not allowed it hear nothing more (§1.6).
    cut = await adults.parents_cut_off(
        session, families.keys(), ctx.settings.adults.parents, ctx.now.astimezone(tz).date()
    )
    for fact in facts:
        family = families.get(fact.student_id)
        for recipient in family.recipients if family else ():
            if recipient.account.linked_at > event.created_at or recipient.person_id in told:
                continue
            if recipient.as_parent and fact.student_id in cut:
                continue
            mode = prefs.mode_of(
                chosen.get(recipient.person_id, {}), fact.kind, as_parent=recipient.as_parent
            )
            if mode == prefs.NOW:
                assert family is not None
                await _queue(session, ctx, tz, event, fact, family, recipient)


async def _told_elsewhere(session: AsyncSession, event: Event) -> set[int]:
    """People who hear of this event another way: whoever sent the certificate that set an
    absence reason gets one message with the curator's decision, not one per lesson."""
    if event.kind != events.ABSENCE_REASON_SET:
        return set()
    justification_id = event.payload.get("justification_id")
    if not isinstance(justification_id, int):
        return set()
    row = await session.get(AbsenceJustification, justification_id)
    return {row.submitted_by} if row is not None else set()


async def _queue(
    session: AsyncSession,
    ctx: _Context,
    tz: ZoneInfo,
    event: Event,
    fact: Fact,
    family: Family,
    recipient: Recipient,
) -> None:
    chat_id = recipient.account.chat_id
    waiting = await q.pending_on_subject(session, chat_id, fact.subject, ctx.now + MERGE_MARGIN)
    base_id = event.id
    final: Fact | None = fact if fact.was != fact.now else None
    if waiting:
        await q.mark_merged(session, [m.id for m in waiting])
        base_id = min(base_event_id(m.dedup_key) or event.id for m in waiting)
        base = await _fact_about(session, base_id, fact.subject)
        final = merged(base, fact) if base is not None else final
    if final is None:
        return
    with use_locale(locale_for(recipient.account.language, ctx.settings)):
        text = ctx.notice(final, family.first_name if recipient.as_parent else None)
    cfg = ctx.settings.notifications
    due = ctx.now + timedelta(minutes=cfg.merge_minutes)
    q.enqueue(
        session,
        org_id=event.org_id,
        dedup_key=notice_key(event.id, chat_id, fact.subject, base_id),
        person_id=recipient.person_id,
        chat_id=chat_id,
        kind=fact.kind,
        subject=fact.subject,
        text=text,
        not_before=release_time(due, tz, cfg.quiet_from, cfg.quiet_to),
        created_at=ctx.now,
    )


def notice_key(event_id: int, chat_id: int, subject: str, base_id: int) -> str:
    """Unique per event, chat and subject; it also carries the first event of a merge chain,
    whose "before" a merged message reports."""
    return f"n:{event_id}:{chat_id}:{subject}:b{base_id}"


def base_event_id(key: str) -> int | None:
    tail = key.rsplit(":b", 1)
    return int(tail[1]) if key.startswith("n:") and len(tail) == 2 and tail[1].isdigit() else None


def locale_for(language: str | None, settings: Settings) -> str:
    return language if language in SUPPORTED_LOCALES else settings.default_locale


async def _fact_about(session: AsyncSession, event_id: int, subject: str) -> Fact | None:
    event = await session.get(Event, event_id)
    if event is None:
        return None
    return next((f for f in facts_of(event) if f.subject == subject), None)


async def completed(session: AsyncSession, fact: Fact) -> Fact | None:
    """Fill in what an event left out (an absence reason names its attendance row only)."""
    if fact.complete and fact.student_id:
        return fact
    if fact.attendance_id and not (fact.lesson_id and fact.student_id):
        row = await session.get(Attendance, fact.attendance_id)
        if row is None:
            return None
        fact = replace(
            fact,
            lesson_id=row.lesson_id,
            student_id=row.student_id,
            subject=f"reason:{row.lesson_id}:{row.student_id}",
        )
    if not (fact.lesson_id and fact.student_id):
        return None
    info = await journal.lesson_info(session, fact.lesson_id)
    if info is None:
        return None
    return replace(
        fact,
        lesson_date=fact.lesson_date or info.lesson.date,
        discipline=fact.discipline or info.discipline_name,
        pair_no=fact.pair_no or info.lesson.pair_no,
    )


async def _zone(session: AsyncSession, ctx: _Context, org_id: int) -> ZoneInfo:
    if org_id not in ctx.zones:
        org = await session.get(Organisation, org_id)
        ctx.zones[org_id] = ZoneInfo(org.timezone if org else ctx.settings.timezone)
    return ctx.zones[org_id]
