"""The deadline scheduler's scan: digests due now, built from the store and queued once.

Every ``reminders.scan_minutes`` the scan asks, for each college, which digest slots have come
(services/reminders/deadlines.py ``due_slots``: the teachers' morning, the lesson day's evening, the
curators', the administrators', the deputy's daily and weekly; working days only, in the
college's time zone). Each slot's rules read what is due (services/reminders/rules.py); the
sections found for one person make one message.

At most once: each section has a key (``R1:<person>:<date>``). The keys are inserted into
``sent_reminders`` with insert-or-skip in the same transaction as the outbox rows, and only the
sections whose keys went in now are sent. So a second scan the same day, a restart, a misfire
caught up or a second process running the same scan sends nothing twice: of two scans racing,
the second waits for the first's keys and skips them.

A slot is worked out once per process and day (``ScanMemo``); after a restart it is worked out
again and the keys keep it from sending anything twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import Settings
from core.i18n import use_locale
from services.calendar.workdays import load_work_calendar
from services.notifications.notifier import locale_for
from services.reminders import deadlines as rules
from services.reminders import rules as reminder_rules
from services.reminders.deadlines import Slot, SlotKind
from services.reminders.items import Digest
from services.reminders.rules import Context, Found
from storage import deadlines as q
from storage import outbox
from storage.models import utcnow
from storage.notify import Account, active_accounts

log = logging.getLogger(__name__)

KIND = "reminder"  # OutboxMessage.kind
BATCH = 100  # people per transaction: short write transactions, the bot keeps answering

DigestText = Callable[[Digest], str]  # in the current locale
Keyboard = Callable[[Digest], dict[str, Any] | None]
Collector = Callable[[AsyncSession, Context], Awaitable[Found]]

COLLECTORS: dict[SlotKind, Collector] = {
    SlotKind.TEACHER: reminder_rules.teacher_morning,
    SlotKind.LESSON_DAY: reminder_rules.teacher_lesson_day,
    SlotKind.CURATOR: reminder_rules.curator_morning,
    SlotKind.ADMIN: reminder_rules.admin_morning,
    SlotKind.DEPUTY: reminder_rules.deputy_daily,
    SlotKind.WEEKLY: reminder_rules.deputy_weekly,
}


ONCE_A_DAY = frozenset(SlotKind) - {SlotKind.LESSON_DAY}


@dataclass
class ScanMemo:
    """Slots this process has already worked out: (college, slot kind, day)."""

    done: set[tuple[int, SlotKind, date]] = field(default_factory=set)

    def pending(self, org_id: int, slots: Sequence[Slot]) -> list[Slot]:
        return [s for s in slots if (org_id, s.kind, s.day) not in self.done]

    def mark(self, org_id: int, slots: Sequence[Slot]) -> None:
        days = {s.day for s in slots}
        # Yesterday's entries can never match again: keep the memo small.
        self.done = {entry for entry in self.done if entry[2] in days or entry[0] != org_id}
        # The lesson day's digest waits for each teacher's last lesson: asked again until
        # midnight (one day's lessons; the keys send it once).
        self.done.update((org_id, s.kind, s.day) for s in slots if s.kind in ONCE_A_DAY)


@dataclass(frozen=True)
class Render:
    """How a digest reads and which buttons it carries (given by the Telegram adapter)."""

    text: DigestText
    keyboard: Keyboard | None = None


@dataclass
class ScanReport:
    queued: int = 0  # messages queued
    sections: int = 0  # reminders recorded
    slots: list[tuple[int, Slot]] = field(default_factory=list)


async def scan(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
    memo: ScanMemo | None = None,
    text: DigestText,
    keyboard: Keyboard | None = None,
) -> ScanReport:
    """Queue the digests due at ``now`` (default: the current time) that no scan has queued."""
    now = now or utcnow()
    memo = memo if memo is not None else ScanMemo()
    report = ScanReport()
    render = Render(text, keyboard)
    async with session_factory() as session:
        orgs = [(org.id, ZoneInfo(org.timezone)) for org in await outbox.organisations(session)]
    for org_id, tz in orgs:
        try:
            await _scan_org(session_factory, settings, org_id, tz, now, memo, render, report)
        except Exception:  # one college's trouble must not stop the others' reminders
            log.exception("reminder scan of college %s failed; it is tried again next scan", org_id)
    return report


async def _scan_org(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    org_id: int,
    tz: ZoneInfo,
    now: datetime,
    memo: ScanMemo,
    render: Render,
    report: ScanReport,
) -> None:
    local = now.astimezone(tz)
    async with session_factory() as session:
        cal = await load_work_calendar(session, org_id)
        ctx = Context(org_id, tz, cal, settings, now, local.date())
        slots = memo.pending(org_id, rules.due_slots(local, ctx.hours, cal))
        if not slots:
            return
        digests: dict[int, Digest] = {}
        for slot in slots:
            for person_id, sections in (await COLLECTORS[slot.kind](session, ctx)).items():
                digest = digests.setdefault(person_id, Digest(person_id, ctx.today))
                digest.sections.extend(sections)
        accounts = await active_accounts(session, digests)
        keys = [key for d in digests.values() for key in d.keys()]
        already = await q.sent_keys(session, keys)
        covered = None
        if any(slot.kind is SlotKind.WEEKLY for slot in slots):
            covered = await reminder_rules.weekly_range(session, ctx)
    todo = [
        d.only(set(d.keys()) - already)
        for d in digests.values()
        if d.person_id in accounts  # nobody to tell yet: no record, they hear once linked
    ]
    todo = [d for d in todo if d.sections]
    for start in range(0, len(todo), BATCH):
        async with session_factory.begin() as session:
            batch = todo[start : start + BATCH]
            sent, queued = await record(session, settings, org_id, now, batch, accounts, render)
        report.sections += sent
        report.queued += queued
    if covered is not None:
        # After the messages: a scan stopped before this covers the same days again (the keys
        # keep the messages from going twice) rather than skipping them.
        async with session_factory.begin() as session:
            await q.record_digest_range(session, org_id, reminder_rules.WEEKLY, *covered, now)
    memo.mark(org_id, slots)
    report.slots.extend((org_id, slot) for slot in slots)


async def record(
    session: AsyncSession,
    settings: Settings,
    org_id: int,
    now: datetime,
    digests: Sequence[Digest],
    accounts: dict[int, list[Account]],
    render: Render,
) -> tuple[int, int]:
    """Record the digests' reminders and queue their messages, in the caller's transaction;
    sections whose keys another scan recorded first are left out. Returns (reminders
    recorded, messages queued)."""
    rows = [
        {
            "key": key,
            "rule": section.rule.value,
            "person_id": digest.person_id,
            "for_date": digest.day,
            "sent_at": now,
        }
        for digest in digests
        for key, section in digest.keys().items()
    ]
    # The first statement writes, so on SQLite the transaction takes the write lock at once
    # (a concurrent scan waits for it) instead of failing to upgrade a read snapshot.
    fresh = await q.record_sent(session, rows)
    messages: list[dict[str, Any]] = []
    for digest in digests:
        mine = digest.only(fresh)
        if mine.sections:
            messages.extend(
                _message(settings, org_id, now, mine, account, render)
                for account in accounts.get(digest.person_id, [])
            )
    return len(fresh), await q.queue_messages(session, messages)


def _message(
    settings: Settings,
    org_id: int,
    now: datetime,
    digest: Digest,
    account: Account,
    render: Render,
) -> dict[str, Any]:
    """The outbox row of a digest for one of the person's chats, in the chat's language."""
    with use_locale(locale_for(account.language, settings)):
        text = render.text(digest)
        markup = render.keyboard(digest) if render.keyboard is not None else None
    return {
        "org_id": org_id,
        "dedup_key": outbox_key(account.chat_id, digest),
        "person_id": digest.person_id,
        "chat_id": account.chat_id,
        "kind": KIND,
        "subject": "",
        "text": text,
        "reply_markup": markup,
        "not_before": now,
        "created_at": now,
    }


def outbox_key(chat_id: int, digest: Digest) -> str:
    """One message per chat and set of reminders."""
    keys = sorted(digest.keys())
    digest_id = hashlib.sha1("|".join(keys).encode()).hexdigest()[:32]
    return f"{KIND}:{chat_id}:{digest_id}"
