"""Accounts issued by the college office (§3.3.2, R5): the administrator or the secretary finds
a person by a few letters of the surname and issues their link, prints the links of everyone
of a group or of an order not linked yet, and sees who is still not linked.

Whoever may ``issue_accounts`` reaches students and parents without a linked account and
without a staff role; only whoever may ``manage_accounts`` (the administrator) issues links to
staff members and to people already linked (a second phone: the existing accounts are told,
services/people/accounts.py), and sees and revokes linked accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied, Invalid
from core.i18n import _
from services import policy
from services.access import Actor
from services.people import accounts as acc
from services.people import invite_sheet
from services.people.invite_sheet import InviteRow
from storage import orders as orders_q
from storage import people as q
from storage.models import Group, MovementOrder, Person, Role

FOUND_LIMIT = 20
RECENT_ORDERS = 10
MIN_LETTERS = 2
OFFICE_ROLES = (Role.STUDENT, Role.PARENT)


@dataclass(frozen=True)
class PersonCard:
    person: Person
    roles: tuple[Role, ...]
    accounts: list[acc.LinkedAccount]
    may_issue: bool
    may_manage: bool  # sees the accounts and may revoke them
    may_end_staff: bool = False  # a staff member the actor may mark as leaving
    may_give_position: bool = False  # the actor may give them one of the college's positions


def not_yours() -> str:
    return _("This person is not among the people you may issue links to.")


def _target(actor: Actor) -> policy.Target:
    return policy.Target(actor.org_id)


def require_issuer(actor: Actor) -> None:
    policy.require(actor, policy.Action.ISSUE_ACCOUNTS, _target(actor), not_yours())


def manages(actor: Actor) -> bool:
    return policy.can(actor, policy.Action.MANAGE_ACCOUNTS, _target(actor))


async def find(session: AsyncSession, actor: Actor, letters: str) -> list[Person]:
    """People of the college whose surname begins with ``letters``."""
    require_issuer(actor)
    letters = letters.strip()
    if len(letters) < MIN_LETTERS:
        raise Invalid(_("Type at least two letters of the surname."))
    return list(await q.people_by_letters(session, actor.org_id, letters, FOUND_LIMIT))


async def card(session: AsyncSession, actor: Actor, person_id: int) -> PersonCard:
    require_issuer(actor)
    person = await session.get(Person, person_id)
    if person is None or person.org_id != actor.org_id:
        raise Denied(not_yours())
    memberships = await q.active_memberships(session, person.id)
    roles = tuple(sorted({m.role for m in memberships}))
    accounts = await acc.accounts_of(session, person.id)
    may_manage = manages(actor)
    plain = bool(roles) and not set(roles) & q.STAFF_ROLES and not accounts
    staff = bool(set(roles) & q.STAFF_ROLES)
    manages_staff = policy.can(actor, policy.Action.MANAGE_STAFF, _target(actor))
    return PersonCard(
        person=person,
        roles=roles,
        accounts=accounts if may_manage else [],
        may_issue=bool(roles) and (may_manage or plain),
        may_manage=may_manage,
        may_end_staff=staff and manages_staff,
        may_give_position=manages_staff and bool(await q.college_positions(session, actor.org_id)),
    )


async def issue_one(
    session: AsyncSession, actor: Actor, person_id: int, terms: invite_sheet.Terms
) -> InviteRow:
    """A new link for one person; their older unused links stop working."""
    found = await card(session, actor, person_id)
    if not found.may_issue:
        raise Denied(not_yours())
    rows = await invite_sheet.issued_by(session, actor, terms, person_ids=[person_id])
    if not rows:  # a person with no role in scope: a student who left, say
        raise Denied(not_yours())
    return rows[0]


async def college_group(session: AsyncSession, actor: Actor, group_id: int) -> Group:
    require_issuer(actor)
    group = await session.get(Group, group_id)
    if group is None or group.org_id != actor.org_id:
        raise Denied(_("This group is not of your college."))
    return group


async def groups(session: AsyncSession, actor: Actor) -> list[Group]:
    require_issuer(actor)
    return list(await q.groups_of_college(session, actor.org_id))


async def group_links(
    session: AsyncSession, actor: Actor, group_id: int, terms: invite_sheet.Terms
) -> tuple[Group, list[InviteRow]]:
    """Links for the students and parents of the group not linked yet (and, for the
    administrator, its curators not linked yet)."""
    group = await college_group(session, actor, group_id)
    staff = manages(actor)
    return group, await invite_sheet.group_not_linked(session, actor, group, terms, staff=staff)


async def recent_orders(session: AsyncSession, actor: Actor) -> list[MovementOrder]:
    require_issuer(actor)
    return list(await orders_q.recent(session, actor.org_id, RECENT_ORDERS))


async def order_links(
    session: AsyncSession, actor: Actor, order_id: int, terms: invite_sheet.Terms
) -> tuple[MovementOrder, list[InviteRow]]:
    """Links for the students an order names and their parents, those not linked yet and
    still studying (an expelled student gets none)."""
    require_issuer(actor)
    order = await orders_q.order(session, order_id)
    if order is None or order.org_id != actor.org_id:
        raise Denied(_("This order is not of your college."))
    people = await orders_q.people_named(session, order.id)
    if not people:
        return order, []
    rows = await invite_sheet.issued_by(
        session,
        actor,
        terms,
        roles=OFFICE_ROLES,
        person_ids=people,
        unlinked_only=True,
        no_staff=not manages(actor),
    )
    return order, rows


async def not_linked(session: AsyncSession, actor: Actor, *, now: datetime) -> list[InviteRow]:
    """Everyone of the college the actor may issue links to who has no linked account."""
    require_issuer(actor)
    may_manage = manages(actor)
    return await invite_sheet.build_rows(
        session,
        actor.org_id,
        bot_username="",
        now=now,
        ttl=timedelta(0),
        tz=actor.tz,
        roles=() if may_manage else OFFICE_ROLES,
        unlinked_only=True,
        no_staff=not may_manage,
        issue=False,
    )
