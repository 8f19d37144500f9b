"""Queries about people, their roles, Telegram accounts and invites."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ConversationState,
    Group,
    Invite,
    InviteAttempt,
    Membership,
    Organisation,
    Person,
    Position,
    ProcessedUpdate,
    Role,
    Student,
    StudentStatus,
    TelegramAccount,
)
from storage.models.people import short_name

# Roles a link may never be handed out for by anyone but the administrator.
STAFF_ROLES = frozenset(Role) - {Role.PARENT, Role.STUDENT}


def linked_people() -> Select[Any]:
    """People with a Telegram account that is not revoked (blocked the bot or not)."""
    return select(TelegramAccount.person_id).where(TelegramAccount.revoked_at.is_(None))


def staff_people() -> Select[Any]:
    """People holding a staff role now."""
    return select(Membership.person_id).where(
        Membership.active.is_(True), Membership.role.in_(list(STAFF_ROLES))
    )


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


AccountRow = tuple[TelegramAccount, Person, str | None, Membership | None]


async def account_with_roles(session: AsyncSession, telegram_user_id: int) -> Sequence[AccountRow]:
    """The Telegram account, its person, their college's zone and their active memberships
    (any ``until``: the caller knows the college's date), in one statement: a row per
    membership, or one row with no membership; none for an unknown account."""
    rows = await session.execute(_ACCOUNT_WITH_ROLES, {"user_id": telegram_user_id})
    return [(a, p, tz, m) for a, p, tz, m in rows]


# Built once (every update runs it); the user id is bound per call.
_ACCOUNT = (TelegramAccount, Person, Organisation.timezone, Membership)


def _with_roles(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    """``query``, which has the account's person, joined to their college and their active
    memberships: a row per membership."""
    return (
        query.outerjoin(Organisation, Organisation.id == Person.org_id)
        .outerjoin(Membership, (Membership.person_id == Person.id) & Membership.active.is_(True))
        .order_by(Membership.id)
    )


_ACCOUNT_WITH_ROLES = _with_roles(
    select(*_ACCOUNT)
    .join(Person, Person.id == TelegramAccount.person_id)
    .where(TelegramAccount.telegram_user_id == bindparam("user_id"))
)


async def lock_accounts(session: AsyncSession, person_id: int) -> Sequence[TelegramAccount]:
    """The person's accounts that are not revoked, read after taking them for this
    transaction: a write that changes nothing takes PostgreSQL's row locks and SQLite's write
    lock, so a second transaction deciding on the same accounts waits for this one and then
    reads what it wrote."""
    await session.execute(
        update(TelegramAccount)
        .where(TelegramAccount.person_id == person_id)
        .values(notify=TelegramAccount.notify, updated_at=TelegramAccount.updated_at)
        .execution_options(synchronize_session=False)
    )
    # Read again over what this session may hold from before the lock.
    rows = await session.scalars(_accounts(person_id).execution_options(populate_existing=True))
    return rows.all()


async def accounts_of(session: AsyncSession, person_id: int) -> Sequence[TelegramAccount]:
    """The person's accounts that are not revoked, oldest first."""
    return (await session.scalars(_accounts(person_id))).all()


def _accounts(person_id: int) -> Select[TelegramAccount]:
    return (
        select(TelegramAccount)
        .where(TelegramAccount.person_id == person_id, TelegramAccount.revoked_at.is_(None))
        .order_by(TelegramAccount.id)
    )


async def custom_position_words(
    session: AsyncSession, position_ids: Collection[int]
) -> dict[int, list[str]]:
    """The rights words of the college's own positions among ``position_ids``."""
    if not position_ids:
        return {}
    rows = await session.execute(
        select(Position.id, Position.rights).where(
            Position.id.in_(list(position_ids)), Position.builtin.is_(False)
        )
    )
    return {pid: [str(w) for w in rights or []] for pid, rights in rows.all()}


async def college_positions(session: AsyncSession, org_id: int) -> Sequence[Position]:
    rows = await session.scalars(
        select(Position).where(Position.org_id == org_id).order_by(Position.name)
    )
    return rows.all()


async def membership_of(session: AsyncSession, person_id: int, role: Role) -> Membership | None:
    """The person's college-wide membership in ``role`` (no group, no student)."""
    return await session.scalar(
        select(Membership).where(
            Membership.person_id == person_id,
            Membership.role == role,
            Membership.group_id.is_(None),
            Membership.student_id.is_(None),
        )
    )


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


async def children_of(
    session: AsyncSession, student_ids: Sequence[int]
) -> list[tuple[int, str, str, str, str | None]]:
    """Each student's id, last, first and middle names and group name (None without a group):
    what a parent's menu shows of their children, in columns (every update of a parent asks)."""
    if not student_ids:
        return []
    rows = await session.execute(_CHILDREN, {"ids": list(student_ids)})
    return [(sid, last, first, middle, group) for sid, last, first, middle, group in rows]


_CHILDREN = (
    select(Student.id, Person.last_name, Person.first_name, Person.middle_name, Group.name)
    .join(Person, Person.id == Student.person_id)
    .outerjoin(Group, Group.id == Student.group_id)
    .where(Student.id.in_(bindparam("ids", expanding=True)))
)


async def invite_by_hash(session: AsyncSession, code_hash: str) -> Invite | None:
    return await session.scalar(select(Invite).where(Invite.code_hash == code_hash))


async def claim_invite(
    session: AsyncSession, invite_id: int, telegram_user_id: int, now: datetime
) -> bool:
    """Mark the invite used by the account, if it still is open; False when another
    redemption got there first."""
    result = await session.execute(
        update(Invite)
        .where(
            Invite.id == invite_id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .values(used_at=now, used_by_telegram_id=telegram_user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


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
    no_staff: bool = False,
    person_ids: Sequence[int] = (),
) -> Sequence[tuple[Person, Membership]]:
    """People of a college with the membership that puts them in the export, filtered by role
    and by group (students and parents of the group, its curators). Students who no longer
    study (expelled, graduated, on leave) and their parents' roles for them are left out;
    ``unlinked_only`` leaves out people who already have a linked account; ``no_staff``
    leaves out people who hold a staff role (a link identifies a person with all their roles)."""
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
        query = query.where(Person.id.not_in(linked_people()))
    if no_staff:
        query = query.where(Person.id.not_in(staff_people()))
    if person_ids:
        query = query.where(Person.id.in_(list(person_ids)))
    if roles:
        query = query.where(Membership.role.in_(list(roles)))
    if group_ids:
        in_group = select(Student.id).where(Student.group_id.in_(list(group_ids)))
        query = query.where(
            (Membership.group_id.in_(list(group_ids))) | (Membership.student_id.in_(in_group))
        )
    rows = await session.execute(query)
    return [(p, m) for p, m in rows.all()]


async def person_by_external_id(
    session: AsyncSession, org_id: int, external_id: str
) -> Person | None:
    return await session.scalar(
        select(Person).where(Person.org_id == org_id, Person.external_id == external_id)
    )


async def people_by_letters(
    session: AsyncSession, org_id: int, letters: str, limit: int
) -> Sequence[Person]:
    """People of the college whose surname starts with ``letters`` as typed, capitalised or
    in one case (SQLite folds the case of Latin letters only, so the forms are spelled out)."""
    forms = {letters, letters.capitalize(), letters.lower(), letters.upper()}
    rows = await session.scalars(
        select(Person)
        .where(
            Person.org_id == org_id,
            or_(*(Person.last_name.startswith(f, autoescape=True) for f in forms)),
        )
        .order_by(Person.last_name, Person.first_name, Person.id)
        .limit(limit)
    )
    return rows.all()


async def groups_of_college(session: AsyncSession, org_id: int) -> Sequence[Group]:
    rows = await session.scalars(select(Group).where(Group.org_id == org_id).order_by(Group.name))
    return rows.all()


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


async def first_look(
    session: AsyncSession, update_id: int, state_key: str
) -> tuple[bool, str | None]:
    """What every update asks first, in one statement: whether it was handled already (a
    redelivery) and the conversation state of its chat (None without one)."""
    row = (await session.execute(_FIRST_LOOK, {"update_id": update_id, "key": state_key})).one()
    return bool(row[0]), row[1]


async def first_look_with_account(
    session: AsyncSession, update_id: int, state_key: str, telegram_user_id: int
) -> tuple[bool, str | None, list[AccountRow]]:
    """``first_look`` and ``account_with_roles`` in one statement: what every update from a
    person asks first. The account's rows are empty for a stranger."""
    rows = (
        await session.execute(
            _FIRST_LOOK_WITH_ACCOUNT,
            {"update_id": update_id, "key": state_key, "user_id": telegram_user_id},
        )
    ).all()
    processed, state = bool(rows[0][0]), rows[0][1]
    accounts = [(a, p, tz, m) for _p, _s, a, p, tz, m in rows if a is not None]
    return processed, state, accounts


_PROCESSED = (
    select(ProcessedUpdate.update_id)
    .where(ProcessedUpdate.update_id == bindparam("update_id"))
    .exists()
    .label("processed")
)
_STATE = (
    select(ConversationState.state)
    .where(ConversationState.key == bindparam("key"))
    .scalar_subquery()
    .label("state")
)
_FIRST_LOOK = select(_PROCESSED, _STATE)


# One row even for a stranger: the account and its rows hang off a row of one column.
_ONE_ROW = select(literal(1).label("one")).subquery("one_row")
_FIRST_LOOK_WITH_ACCOUNT = _with_roles(
    select(_PROCESSED, _STATE, *_ACCOUNT)
    .select_from(_ONE_ROW)
    .outerjoin(TelegramAccount, TelegramAccount.telegram_user_id == bindparam("user_id"))
    .outerjoin(Person, Person.id == TelegramAccount.person_id)
)


async def forget_processed_before(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before))
