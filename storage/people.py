"""Queries about people, their roles, Telegram accounts and invites."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Group,
    Invite,
    InviteAttempt,
    Membership,
    Person,
    ProcessedUpdate,
    Role,
    Student,
    StudentStatus,
    TelegramAccount,
)
from storage.models.people import short_name


async def account_by_telegram_id(
    session: AsyncSession, telegram_user_id: int
) -> TelegramAccount | None:
    return await session.scalar(
        select(TelegramAccount).where(TelegramAccount.telegram_user_id == telegram_user_id)
    )


IDS_PER_QUERY = 5000  # PostgreSQL takes at most 32767 parameters a statement


async def short_names(session: AsyncSession, person_ids: Collection[int]) -> dict[int, str]:
    """Person id → ``Иванов И. П.``, for any number of ids."""
    ids = sorted(set(person_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), IDS_PER_QUERY):
        rows = await session.execute(
            select(Person.id, Person.last_name, Person.first_name, Person.middle_name).where(
                Person.id.in_(ids[start : start + IDS_PER_QUERY])
            )
        )
        found.update({pid: short_name(last, first, middle) for pid, last, first, middle in rows})
    return found


async def active_memberships(
    session: AsyncSession, person_id: int, on: date | None = None
) -> Sequence[Membership]:
    """The person's active roles; given ``on`` (the college's date), without those ended by
    then (``until``: an order's effective date, from which the role is gone)."""
    query = select(Membership).where(Membership.person_id == person_id, Membership.active.is_(True))
    if on is not None:
        query = query.where(Membership.until.is_(None) | (Membership.until > on))
    rows = await session.scalars(query.order_by(Membership.id))
    return rows.all()


async def students_with_groups(
    session: AsyncSession, student_ids: Sequence[int]
) -> Sequence[tuple[Student, Group | None]]:
    if not student_ids:
        return []
    rows = await session.execute(
        select(Student, Group)
        .outerjoin(Group, Group.id == Student.group_id)
        .where(Student.id.in_(student_ids))
    )
    return [(s, g) for s, g in rows.all()]


async def invite_by_hash(session: AsyncSession, code_hash: str) -> Invite | None:
    return await session.scalar(select(Invite).where(Invite.code_hash == code_hash))


async def revoke_open_invites(
    session: AsyncSession, person_ids: Sequence[int], now: datetime
) -> None:
    await session.execute(
        update(Invite)
        .where(
            Invite.person_id.in_(person_ids),
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


async def failed_attempts_since(
    session: AsyncSession, telegram_user_id: int, since: datetime
) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(InviteAttempt)
            .where(InviteAttempt.telegram_user_id == telegram_user_id, InviteAttempt.at >= since)
        )
        or 0
    )


async def people_for_invites(
    session: AsyncSession,
    org_id: int,
    *,
    roles: Sequence[Role] = (),
    group_ids: Sequence[int] = (),
    unlinked_only: bool = False,
) -> Sequence[tuple[Person, Membership]]:
    """People of a college with the membership that puts them in the export, filtered by role
    and by group (students and parents of the group, its curators). Students who no longer
    study (expelled, graduated, on leave) and their parents' roles for them are left out;
    ``unlinked_only`` leaves out people who already use the bot."""
    studying = select(Student.id).where(Student.status == StudentStatus.STUDYING)
    query = (
        select(Person, Membership)
        .join(Membership, Membership.person_id == Person.id)
        .where(
            Person.org_id == org_id,
            Membership.active.is_(True),
            Membership.student_id.is_(None) | Membership.student_id.in_(studying),
        )
        .order_by(Person.id, Membership.id)
    )
    if unlinked_only:
        linked = select(TelegramAccount.person_id).where(TelegramAccount.active.is_(True))
        query = query.where(Person.id.not_in(linked))
    if roles:
        query = query.where(Membership.role.in_(list(roles)))
    if group_ids:
        in_group = select(Student.id).where(Student.group_id.in_(list(group_ids)))
        query = query.where(
            (Membership.group_id.in_(list(group_ids))) | (Membership.student_id.in_(in_group))
        )
    rows = await session.execute(query)
    return [(p, m) for p, m in rows.all()]


async def groups_by_names(
    session: AsyncSession, org_id: int, names: Sequence[str]
) -> Sequence[Group]:
    rows = await session.scalars(select(Group).where(Group.org_id == org_id, Group.name.in_(names)))
    return rows.all()


async def group_names(session: AsyncSession, group_ids: Sequence[int]) -> dict[int, str]:
    if not group_ids:
        return {}
    rows = await session.execute(select(Group.id, Group.name).where(Group.id.in_(group_ids)))
    return {gid: name for gid, name in rows.all()}


async def was_processed(session: AsyncSession, update_id: int) -> bool:
    found = await session.scalar(
        select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id)
    )
    return found is not None


async def forget_processed_before(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before))
