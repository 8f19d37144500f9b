"""Queries for the two durable queues: journal events waiting for the notifier, and Telegram
messages waiting for the sender (see storage/models/comms.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.messenger import MAX_BASE, Messenger
from storage.db import dialect_insert
from storage.models import Event, Organisation, OutboxMessage, OutboxStatus, TelegramAccount

ERROR_MAX = 255
PHOTO, DOCUMENT = "photo", "document"  # file kinds: how the sender sends a message's file
GAVE_UP = "gave up"  # the start of the error of a message that failed every attempt


# --- events ----------------------------------------------------------------------------


async def unprocessed_events(session: AsyncSession, limit: int) -> Sequence[Event]:
    rows = await session.scalars(
        select(Event).where(Event.processed_at.is_(None)).order_by(Event.id).limit(limit)
    )
    return rows.all()


async def mark_processed(session: AsyncSession, event_id: int, now: datetime) -> bool:
    """False when another notifier got there first."""
    result = await session.execute(
        update(Event)
        .where(Event.id == event_id, Event.processed_at.is_(None))
        .values(processed_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def events_processed_between(
    session: AsyncSession, org_id: int, kinds: Collection[str], start: datetime, end: datetime
) -> Sequence[Event]:
    rows = await session.scalars(
        select(Event)
        .where(
            Event.org_id == org_id,
            Event.kind.in_(list(kinds)),
            Event.processed_at >= start,
            Event.processed_at < end,
        )
        .order_by(Event.id)
    )
    return rows.all()


async def organisations(session: AsyncSession) -> Sequence[Organisation]:
    return (await session.scalars(select(Organisation).order_by(Organisation.id))).all()


# --- queueing --------------------------------------------------------------------------


def enqueue(session: AsyncSession, **fields: Any) -> OutboxMessage:
    message = OutboxMessage(**fields)
    session.add(message)
    return message


async def enqueue_once(session: AsyncSession, **fields: Any) -> bool:
    """Queue unless a message with the same ``dedup_key`` exists; True if queued."""
    stmt = (
        dialect_insert(session, OutboxMessage)
        .values(**fields)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def existing_keys(session: AsyncSession, keys: Collection[str]) -> set[str]:
    if not keys:
        return set()
    rows = await session.scalars(
        select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.in_(list(keys)))
    )
    return set(rows.all())


async def pending_on_subject(
    session: AsyncSession, chat_id: int, subject: str, due_after: datetime
) -> Sequence[OutboxMessage]:
    """Messages about ``subject`` to the chat that the sender cannot have picked yet."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.subject == subject,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.not_before > due_after,
        )
        .order_by(OutboxMessage.id)
        .with_for_update()
    )
    return rows.all()


async def mark_merged(session: AsyncSession, ids: Collection[int]) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.MERGED)
    )


# --- sending ---------------------------------------------------------------------------


async def inactive_chats(session: AsyncSession) -> list[int]:
    """Chats of deactivated accounts that no active account shares."""
    active = case((TelegramAccount.active.is_(True), 1), else_=0)
    rows = await session.scalars(
        select(TelegramAccount.chat_id)
        .group_by(TelegramAccount.chat_id)
        .having(func.max(active) == 0)
    )
    return list(rows.all())


async def fail_inactive(session: AsyncSession) -> int:
    """Give up on pending messages to people who blocked the bot: they would pile up and
    arrive as a backlog when the person comes back."""
    chats = await inactive_chats(session)
    failed = 0
    for start in range(0, len(chats), 500):
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.chat_id.in_(chats[start : start + 500]),
                OutboxMessage.status == OutboxStatus.PENDING,
            )
            .values(status=OutboxStatus.FAILED, last_error="recipient inactive")
        )
        failed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return failed


def _of_messenger(messenger: Messenger | None) -> tuple[Any, ...]:
    """The messages of one messenger's chats (core/messenger.py: MAX's ids are above
    ``MAX_BASE``); each messenger has its own sender."""
    if messenger is None:
        return ()
    if messenger is Messenger.MAX:
        return (OutboxMessage.chat_id >= MAX_BASE,)
    return (OutboxMessage.chat_id < MAX_BASE,)


def _claimable(now: datetime) -> tuple[Any, ...]:
    return (
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.not_before <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
    )


async def claim_due(
    session: AsyncSession,
    now: datetime,
    limit: int,
    holder: str,
    lease: timedelta,
    *,
    messenger: Messenger | None = None,
) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for ``holder`` until ``now + lease``: messages nobody
    holds, or whose holder let the lease run out (it died). Oldest first.

    The due ids are read first, then leased by id under the same conditions, so a sender
    that finds nothing due writes nothing. PostgreSQL locks the rows it reads with ``FOR
    UPDATE SKIP LOCKED``: rows another sender is taking at this moment are skipped, never
    waited for. (Not ``UPDATE … WHERE id IN (SELECT … LIMIT n)``: PostgreSQL may evaluate that
    LIMIT more than once and lease more rows than asked.) SQLite has one writer at a time:
    the UPDATE checks the conditions again, so a row another process took meanwhile stays
    its."""
    picked = (
        select(OutboxMessage.id)
        .where(*_claimable(now), *_of_messenger(messenger))
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        picked = picked.with_for_update(skip_locked=True)
    ids = list(await session.scalars(picked))
    if not ids:
        return []
    rows = await session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), *_claimable(now))
        .values(claimed_by=holder, claimed_until=now + lease)
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    return sorted(rows.all(), key=lambda m: (m.not_before, m.id))


async def renew_leases(
    session: AsyncSession, ids: Collection[int], holder: str, until: datetime
) -> set[int]:
    """Extend the lease of the messages ``holder`` still holds; returns their ids."""
    if not ids:
        return set()
    rows = await session.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.claimed_by == holder,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(claimed_until=until)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return set(rows.all())


async def release(session: AsyncSession, ids: Collection[int], holder: str) -> None:
    """Give back messages taken but not sent (the sender stops or lost its election)."""
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.claimed_by == holder)
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )


def _held(message_id: int, holder: str | None) -> tuple[Any, ...]:
    """The message, and with a ``holder`` only while that sender holds it: a sender whose
    lease ran out must not overwrite what the next holder did."""
    if holder is None:
        return (OutboxMessage.id == message_id,)
    return (OutboxMessage.id == message_id, OutboxMessage.claimed_by == holder)


async def mark_sent(
    session: AsyncSession,
    message_id: int,
    now: datetime,
    telegram_message_id: int | None,
    *,
    holder: str | None = None,
) -> bool:
    """False when ``holder`` no longer held the message (it may have gone out twice)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(*_held(message_id, holder))
        .values(
            status=OutboxStatus.SENT,
            sent_at=now,
            telegram_message_id=telegram_message_id,
            attempts=OutboxMessage.attempts + 1,
            claimed_until=None,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_failed(
    session: AsyncSession, message_id: int, error: str, *, holder: str | None = None
) -> bool:
    result = await session.execute(
        update(OutboxMessage)
        .where(*_held(message_id, holder))
        .values(
            status=OutboxStatus.FAILED,
            last_error=error[:ERROR_MAX],
            attempts=OutboxMessage.attempts + 1,
            claimed_until=None,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def retry_later(
    session: AsyncSession,
    message_id: int,
    not_before: datetime,
    error: str,
    *,
    holder: str | None = None,
) -> bool:
    """Put the message back for any sender, due at ``not_before``."""
    result = await session.execute(
        update(OutboxMessage)
        .where(*_held(message_id, holder))
        .values(
            not_before=not_before,
            last_error=error[:ERROR_MAX],
            attempts=OutboxMessage.attempts + 1,
            claimed_by=None,
            claimed_until=None,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def deactivate_chat(session: AsyncSession, chat_id: int, error: str) -> int:
    """The chat refused the bot (blocked, deactivated, kicked): its accounts turn inactive and
    everything still queued for it fails. Returns the number of messages failed."""
    await session.execute(
        update(TelegramAccount).where(TelegramAccount.chat_id == chat_id).values(active=False)
    )
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.FAILED, last_error=error[:ERROR_MAX])
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: its queued messages follow it."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(chat_id=new_chat_id)
    )


async def split_message(
    session: AsyncSession, message_id: int, parts: Sequence[tuple[str, str | None]]
) -> list[OutboxMessage]:
    """Replace a message too long for one Telegram message by its ``parts`` (text, document),
    in order: the first keeps the row, the others are new rows queued right behind it. The
    keyboard goes with the last part. Done in one transaction, so each part is sent once."""
    message = await session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None or message.status is not OutboxStatus.PENDING:
        return []
    markup, kind = message.reply_markup, message.file_kind
    rows = [message]
    for n, (text, document) in enumerate(parts[1:], start=2):
        rows.append(
            OutboxMessage(
                org_id=message.org_id,
                dedup_key=part_key(message.dedup_key, n),
                person_id=message.person_id,
                chat_id=message.chat_id,
                kind=message.kind,
                subject=message.subject,
                text=text,
                document_file_id=document,
                file_kind=kind if document else None,
                not_before=message.not_before,
                created_at=message.created_at,
                # The parts stay with the sender that splits them, under the same lease.
                claimed_by=message.claimed_by,
                claimed_until=message.claimed_until,
            )
        )
    message.text, message.document_file_id = parts[0]
    message.file_kind = kind if message.document_file_id else None
    message.reply_markup = None
    rows[-1].reply_markup = markup
    session.add_all(rows[1:])
    await session.flush()
    return rows


# --- what the administrator sees ----------------------------------------------------


async def status_counts(session: AsyncSession, now: datetime) -> dict[str, int]:
    """Messages by status, plus ``due`` (pending and due now) and ``gave_up`` (failed after
    every attempt: Telegram or the network kept failing, not the recipient)."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({status.value: n for status, n in rows.all()})
    counts["due"] = await _count(
        session, OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now
    )
    counts["gave_up"] = await _count(
        session,
        OutboxMessage.status == OutboxStatus.FAILED,
        OutboxMessage.last_error.startswith(GAVE_UP),
    )
    return counts


async def failure_reasons(session: AsyncSession, limit: int = 5) -> list[tuple[str, int]]:
    """The most frequent reasons of failed messages, most frequent first."""
    rows = await session.execute(
        select(OutboxMessage.last_error, func.count().label("n"))
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .group_by(OutboxMessage.last_error)
        .order_by(func.count().desc(), OutboxMessage.last_error)
        .limit(limit)
    )
    return [(reason, n) for reason, n in rows.all()]


async def _count(session: AsyncSession, *where: Any) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    )


def part_key(key: str, n: int) -> str:
    suffix = f"#{n}"
    return key[: 128 - len(suffix)] + suffix
