"""Who is using the bot: a person's roles, the children of a parent, the role in use.

A person may hold several roles (a teacher who is a curator and a parent). The menu shows one
role at a time; the one in use is kept on the Telegram account. Role order below is the order
menus list them in and the default pick: the role a person most likely opened the bot for.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import SUPPORTED_LOCALES, Settings
from services import policy
from services.access import Actor, held_positions, make_actor, position_rights
from services.calendar.workdays import WorkCalendar, load_work_calendar
from services.policy import Action
from storage import people as q
from storage.models import (
    Membership,
    Organisation,
    Person,
    Role,
    TelegramAccount,
)
from storage.models.people import short_name

ROLE_ORDER = (
    Role.TEACHER,
    Role.CURATOR,
    Role.DEPUTY,
    Role.DIRECTOR,
    Role.SECRETARY,
    Role.ADMIN,
    Role.REGIONAL,
    Role.PARENT,
    Role.STUDENT,
)


@dataclass(frozen=True)
class Child:
    student_id: int
    short_name: str
    first_name: str
    group_name: str


@dataclass
class Identity:
    account: TelegramAccount
    person: Person
    memberships: list[Membership]
    children: list[Child] = field(default_factory=list)
    # The rights of the college's own positions among the memberships, by position id.
    positions: dict[int, frozenset[Action]] = field(default_factory=dict)
    timezone: str | None = None  # the college's, when known

    @property
    def org_id(self) -> int:
        return self.person.org_id

    @property
    def roles(self) -> list[Role]:
        held = {m.role for m in self.memberships}
        return [r for r in ROLE_ORDER if r in held]

    @property
    def role(self) -> Role | None:
        """The role in use: the stored choice while still held, else the first held."""
        roles = self.roles
        if self.account.current_role in roles:
            return self.account.current_role
        return roles[0] if roles else None

    @property
    def child(self) -> Child | None:
        for child in self.children:
            if child.student_id == self.account.current_student_id:
                return child
        return self.children[0] if self.children else None

    def rights_as(self, role: Role | None) -> frozenset[Action]:
        """What the person may do while using ``role``: the rights of the position they
        hold it through, else the role's own (services/policy.py)."""
        if role is None or role not in self.roles:
            return frozenset()
        held = dict(held_positions(self.memberships, self.positions))
        return held.get(role, policy.RIGHTS[role])

    def curated_group_ids(self) -> list[int]:
        return [m.group_id for m in self.memberships if m.role is Role.CURATOR and m.group_id]


async def load_identity(
    session: AsyncSession, account: TelegramAccount, now: datetime | None = None
) -> Identity:
    """The person behind the account with the roles they hold at ``now`` (in their college's
    zone): a role an order ended is gone from its effective date."""
    person = await session.get(Person, account.person_id)
    assert person is not None  # FK with cascade: an account never outlives its person
    org = await session.get(Organisation, person.org_id)
    timezone = org.timezone if org else None
    memberships = await q.active_memberships(session, person.id)
    return await _identity(session, account, person, timezone, list(memberships), now)


async def identify(
    session: AsyncSession,
    telegram_user_id: int,
    now: datetime,
    rows: Sequence[q.AccountRow] | None = None,
) -> tuple[TelegramAccount | None, Identity | None]:
    """The account of a Telegram user and, unless it is revoked, the identity behind it at
    ``now``. The account, the person, the college's zone and the memberships come in one
    statement (every update asks this; ``rows`` when the update's first statement brought
    them); the children and the positions' rights only for the people who have them."""
    if rows is None:
        rows = await q.account_with_roles(session, telegram_user_id)
    if not rows:
        return None, None
    account, person, timezone, _m = rows[0]
    if account.revoked_at is not None:
        return account, None
    memberships = [m for *_r, m in rows if m is not None]
    return account, await _identity(session, account, person, timezone, memberships, now)


async def _identity(
    session: AsyncSession,
    account: TelegramAccount,
    person: Person,
    timezone: str | None,
    memberships: list[Membership],
    now: datetime | None,
) -> Identity:
    if now is not None:
        today = now.astimezone(ZoneInfo(timezone or "UTC")).date()
        memberships = [m for m in memberships if m.until is None or m.until > today]
    child_ids = [m.student_id for m in memberships if m.role is Role.PARENT and m.student_id]
    children = []
    if child_ids:
        children = [
            Child(sid, short_name(last, first, middle), first, group or "")
            for sid, last, first, middle, group in await q.children_of(session, child_ids)
        ]
        children.sort(key=lambda c: c.short_name)
    positions = {}
    if any(m.position_id is not None for m in memberships):
        positions = await position_rights(session, memberships)
    return Identity(account, person, memberships, children, positions, timezone)


def switch_role(identity: Identity, role: Role) -> bool:
    """Use ``role`` if the person holds it; a forged role changes nothing."""
    if role not in identity.roles:
        return False
    identity.account.current_role = role
    return True


def switch_child(identity: Identity, student_id: int) -> bool:
    """Look at ``student_id`` if it is this parent's child; any other id changes nothing."""
    if all(c.student_id != student_id for c in identity.children):
        return False
    identity.account.current_student_id = student_id
    return True


def preferred_locale(identity: Identity | None, language_code: str | None, default: str) -> str:
    """The language to speak to a person in: their chosen one, else their messenger's (when the
    journal speaks it), else the college default. The chat and the journal grid choose alike."""
    if identity is not None:
        for choice in (identity.account.language, identity.person.locale):
            if choice in SUPPORTED_LOCALES:
                return choice
    code = (language_code or "").split("-")[0]
    return code if code in SUPPORTED_LOCALES else default


class Actors:
    """The actor of an identity (roles, college zone, edit window and the working days it is
    counted in), as the chat and the journal grid make it: no query but the college's working
    calendar, read once a minute (an import changes it, rarely). One per process."""

    CALENDAR_SECONDS = 60.0

    def __init__(self) -> None:
        self._calendars: dict[int, tuple[float, WorkCalendar]] = {}

    async def calendar(self, session: AsyncSession, org_id: int) -> WorkCalendar:
        now = time.monotonic()
        cached = self._calendars.get(org_id)
        if cached is None or now - cached[0] > self.CALENDAR_SECONDS:
            cached = (now, await load_work_calendar(session, org_id))
            self._calendars[org_id] = cached
        return cached[1]

    async def of(self, session: AsyncSession, identity: Identity, settings: Settings) -> Actor:
        return make_actor(
            identity.person,
            identity.memberships,
            timezone=identity.timezone or settings.timezone,
            edit_window_days=settings.rules.edit_window_days,
            calendar=await self.calendar(session, identity.person.org_id),
            positions=identity.positions,
        )
