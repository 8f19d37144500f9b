"""Queries for announcements: the people an audience names, receipts and acknowledgements,
and the delivery figures read from the outbox.

Each recipient's message is the outbox row keyed ``ann:<announcement>:<person>``, so the
figures join receipts to the outbox on that key (the key's unique index serves the join).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, cast, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Announcement,
    AnnouncementReceipt,
    Group,
    Membership,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    Student,
    StudentStatus,
    TeachingAssignment,
    TelegramAccount,
)
from storage.models.people import short_name

STAFF_ROLES = (
    Role.TEACHER,
    Role.CURATOR,
    Role.DEPUTY,
    Role.SECRETARY,
    Role.ADMIN,
    Role.DIRECTOR,
)


def message_key(announcement_id: int, person_id: int) -> str:
    """The outbox dedup key of one recipient's message."""
    return f"ann:{announcement_id}:{person_id}"


def subject(announcement_id: int) -> str:
    return f"ann:{announcement_id}"


# --- groups ----------------------------------------------------------------------------


async def active_groups(
    session: AsyncSession, org_id: int, group_ids: Collection[int] | None = None
) -> list[tuple[int, str]]:
    """``(id, name)`` of the college's active groups by name, or of those among
    ``group_ids``; ids of other colleges or of closed groups are left out."""
    query = select(Group.id, Group.name).where(Group.org_id == org_id, Group.active.is_(True))
    if group_ids is not None:
        if not group_ids:
            return []
        query = query.where(Group.id.in_(list(group_ids)))
    rows = await session.execute(query.order_by(Group.name))
    return [(gid, name) for gid, name in rows.all()]


# --- who an audience names -------------------------------------------------------------


def _studying(org_id: int, group_ids: Collection[int]) -> Select[int]:
    query = select(Student.id).where(
        Student.org_id == org_id,
        Student.status == StudentStatus.STUDYING,
        Student.group_id.is_not(None),
    )
    if group_ids:
        query = query.where(Student.group_id.in_(list(group_ids)))
    return query


async def students(session: AsyncSession, org_id: int, group_ids: Collection[int]) -> set[int]:
    """People studying in the groups (empty ``group_ids``: in the whole college)."""
    ids = _studying(org_id, group_ids).with_only_columns(Student.person_id)
    return set((await session.scalars(ids)).all())


async def parents(session: AsyncSession, org_id: int, group_ids: Collection[int]) -> set[int]:
    """Parents (active parent memberships) of the students studying in the groups."""
    rows = await session.scalars(
        select(Membership.person_id).where(
            Membership.org_id == org_id,
            Membership.role == Role.PARENT,
            Membership.active.is_(True),
            Membership.student_id.in_(_studying(org_id, group_ids)),
        )
    )
    return set(rows.all())


def _holding(org_id: int, roles: Collection[Role]) -> Select[int]:
    return select(Membership.person_id).where(
        Membership.org_id == org_id,
        Membership.role.in_(list(roles)),
        Membership.active.is_(True),
    )


async def teachers(session: AsyncSession, org_id: int, group_ids: Collection[int]) -> set[int]:
    """Teachers of the college, or those teaching the groups (and still teachers)."""
    query = _holding(org_id, [Role.TEACHER])
    if group_ids:
        teaching = select(TeachingAssignment.teacher_id).where(
            TeachingAssignment.org_id == org_id,
            TeachingAssignment.group_id.in_(list(group_ids)),
        )
        query = query.where(Membership.person_id.in_(teaching))
    return set((await session.scalars(query)).all())


async def curators(session: AsyncSession, org_id: int, group_ids: Collection[int]) -> set[int]:
    query = _holding(org_id, [Role.CURATOR])
    if group_ids:
        query = query.where(Membership.group_id.in_(list(group_ids)))
    return set((await session.scalars(query)).all())


async def staff(session: AsyncSession, org_id: int) -> set[int]:
    """Everyone holding a staff role in the college."""
    return set((await session.scalars(_holding(org_id, STAFF_ROLES))).all())


# --- publishing ------------------------------------------------------------------------


async def lock_author(session: AsyncSession, person_id: int) -> None:
    """Serialise one author's sends, so a double tap on "Send" publishes once (PostgreSQL
    locks the row; SQLite serialises writers anyway)."""
    await session.execute(select(Person.id).where(Person.id == person_id).with_for_update())


async def by_progress_message(
    session: AsyncSession, chat_id: int, message_id: int
) -> Announcement | None:
    return await session.scalar(
        select(Announcement).where(
            Announcement.progress_chat_id == chat_id,
            Announcement.progress_message_id == message_id,
        )
    )


async def add_receipts(session: AsyncSession, announcement_id: int, people: Sequence[int]) -> None:
    if people:
        await session.execute(
            insert(AnnouncementReceipt.__table__),
            [{"announcement_id": announcement_id, "person_id": p} for p in people],
        )


async def queue_messages(session: AsyncSession, messages: Sequence[dict[str, Any]]) -> None:
    """Queue the recipients' messages in one executemany: a college-wide announcement is
    thousands of rows, too many to go through the ORM one by one inside a button press.
    The keys are new (the announcement is), so no row can collide with a queued one."""
    if messages:
        await session.execute(insert(OutboxMessage.__table__), list(messages))


# --- receipts --------------------------------------------------------------------------


async def acknowledge(
    session: AsyncSession, announcement_id: int, person_id: int, now: datetime
) -> bool:
    """Record the first acknowledgement; False when there is no receipt or it has one."""
    result = await session.execute(
        update(AnnouncementReceipt)
        .where(
            AnnouncementReceipt.announcement_id == announcement_id,
            AnnouncementReceipt.person_id == person_id,
            AnnouncementReceipt.acknowledged_at.is_(None),
        )
        .values(acknowledged_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def receipt(
    session: AsyncSession, announcement_id: int, person_id: int
) -> AnnouncementReceipt | None:
    return await session.scalar(
        select(AnnouncementReceipt).where(
            AnnouncementReceipt.announcement_id == announcement_id,
            AnnouncementReceipt.person_id == person_id,
        )
    )


async def acknowledged_count(session: AsyncSession, announcement_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(
            AnnouncementReceipt.announcement_id == announcement_id,
            AnnouncementReceipt.acknowledged_at.is_not(None),
        )
    )
    return int(count or 0)


@dataclass(frozen=True)
class AckName:
    last_name: str
    first_name: str
    middle_name: str

    @property
    def short_name(self) -> str:
        return short_name(self.last_name, self.first_name, self.middle_name)


async def acknowledged_people(session: AsyncSession, announcement_id: int) -> list[AckName]:
    rows = await session.execute(
        select(Person.last_name, Person.first_name, Person.middle_name)
        .join(AnnouncementReceipt, AnnouncementReceipt.person_id == Person.id)
        .where(
            AnnouncementReceipt.announcement_id == announcement_id,
            AnnouncementReceipt.acknowledged_at.is_not(None),
        )
        .order_by(Person.last_name, Person.first_name, Person.middle_name, Person.id)
    )
    return [AckName(*row) for row in rows.all()]


def _key_of_receipt(announcement_id: int) -> Any:
    return literal(f"ann:{announcement_id}:") + cast(AnnouncementReceipt.person_id, String)


async def outbox_figures(session: AsyncSession, announcement_id: int) -> dict[OutboxStatus, int]:
    """How many recipients' messages are in each outbox status. A message split in parts
    counts by its first part, which keeps the key."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .select_from(AnnouncementReceipt)
        .join(OutboxMessage, OutboxMessage.dedup_key == _key_of_receipt(announcement_id))
        .where(AnnouncementReceipt.announcement_id == announcement_id)
        .group_by(OutboxMessage.status)
    )
    return {status: int(n) for status, n in rows.all()}


async def stamp_delivered(session: AsyncSession, announcement_id: int) -> None:
    """Copy the sending time of each recipient's message to their receipt."""
    sent_at = (
        select(OutboxMessage.sent_at)
        .where(
            OutboxMessage.dedup_key == _key_of_receipt(announcement_id),
            OutboxMessage.status == OutboxStatus.SENT,
        )
        .scalar_subquery()
    )
    await session.execute(
        update(AnnouncementReceipt)
        .where(
            AnnouncementReceipt.announcement_id == announcement_id,
            AnnouncementReceipt.delivered_at.is_(None),
        )
        .values(delivered_at=sent_at)
        .execution_options(synchronize_session=False)
    )


# --- the authors' progress messages ------------------------------------------------------


async def watched(session: AsyncSession, finished_since: datetime) -> Sequence[Announcement]:
    """Announcements whose progress message is still kept current: sending, or finished
    after ``finished_since`` (acknowledgements still come in)."""
    rows = await session.scalars(
        select(Announcement)
        .where(
            Announcement.progress_message_id.is_not(None),
            or_(Announcement.sent_at.is_(None), Announcement.sent_at >= finished_since),
        )
        .order_by(Announcement.id)
    )
    return rows.all()


async def mark_finished(session: AsyncSession, announcement_id: int, now: datetime) -> None:
    await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id, Announcement.sent_at.is_(None))
        .values(sent_at=now)
    )


async def forget_progress_message(session: AsyncSession, announcement_id: int) -> None:
    """The message is gone (deleted, or the author blocked the bot): stop editing it."""
    await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id)
        .values(progress_message_id=None)
    )


async def chat_language(session: AsyncSession, chat_id: int) -> str | None:
    """The language of the person behind a chat: their choice, else their locale."""
    row = (
        await session.execute(
            select(TelegramAccount.language, Person.locale)
            .join(Person, Person.id == TelegramAccount.person_id)
            .where(TelegramAccount.chat_id == chat_id)
            .order_by(TelegramAccount.active.desc(), TelegramAccount.id.desc())
            .limit(1)
        )
    ).first()
    return (row[0] or row[1]) if row else None
