"""The colleges a regional specialist monitors (``regional_scopes``), and who they are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Membership,
    Organisation,
    Person,
    RegionalScope,
    Role,
    SentReminder,
    TelegramAccount,
)


async def scope(session: AsyncSession, person_id: int) -> list[Organisation]:
    """The colleges in the person's region, by name."""
    rows = await session.scalars(
        select(Organisation)
        .join(RegionalScope, RegionalScope.org_id == Organisation.id)
        .where(RegionalScope.person_id == person_id)
        .order_by(Organisation.name, Organisation.id)
    )
    return list(rows)


async def set_scope(session: AsyncSession, person_id: int, org_ids: Sequence[int]) -> None:
    await session.execute(delete(RegionalScope).where(RegionalScope.person_id == person_id))
    session.add_all(RegionalScope(person_id=person_id, org_id=org_id) for org_id in org_ids)
    await session.flush()


async def orgs_by_code(session: AsyncSession, codes: Sequence[str]) -> dict[str, Organisation]:
    if not codes:
        return {}
    rows = await session.scalars(select(Organisation).where(Organisation.code.in_(list(codes))))
    return {org.code: org for org in rows}


async def person_by_external_id(
    session: AsyncSession, org_id: int, external_id: str
) -> Person | None:
    return await session.scalar(
        select(Person).where(Person.org_id == org_id, Person.external_id == external_id)
    )


async def ensure_regional_role(session: AsyncSession, person: Person) -> None:
    """The specialist holds the regional role in their own college (the menu follows roles)."""
    held = await session.scalar(
        select(Membership).where(
            Membership.person_id == person.id,
            Membership.org_id == person.org_id,
            Membership.role == Role.REGIONAL,
        )
    )
    if held is None:
        session.add(Membership(org_id=person.org_id, person_id=person.id, role=Role.REGIONAL))
    elif not held.active:
        held.active = True
    await session.flush()


async def specialists(session: AsyncSession) -> list[tuple[Person, TelegramAccount]]:
    """Regional specialists with a scope, an active regional role and a linked account."""
    rows = await session.execute(
        select(Person, TelegramAccount)
        .join(TelegramAccount, TelegramAccount.person_id == Person.id)
        .join(Membership, Membership.person_id == Person.id)
        .where(
            TelegramAccount.active.is_(True),
            TelegramAccount.notify.is_(True),  # where the person wants the journal's messages
            Membership.role == Role.REGIONAL,
            Membership.active.is_(True),
            Membership.org_id == Person.org_id,
            Person.id.in_(select(RegionalScope.person_id)),
        )
        .order_by(Person.id, TelegramAccount.id)
    )
    seen: set[int] = set()
    found = []
    for person, account in rows:
        if person.id not in seen:  # one account each is enough
            seen.add(person.id)
            found.append((person, account))
    return found


async def sent(session: AsyncSession, key: str) -> bool:
    return await session.scalar(select(SentReminder.id).where(SentReminder.key == key)) is not None


async def record_sent(
    session: AsyncSession, key: str, rule: str, person_id: int, day: date
) -> None:
    session.add(SentReminder(key=key, rule=rule, person_id=person_id, for_date=day))
    await session.flush()
