"""The administrator gives a person one of the college's own positions (§3.3.6) in the bot,
as the import does: the person holds the position's base role through it, and with it
exactly the position's rights (services/policy.py, ``WORDS``). A position based on the
curator's role needs the groups, which the import's ``curator_of`` column gives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied, Invalid
from core.i18n import _
from services import policy
from services.access import Actor
from storage import audit
from storage import people as q
from storage.models import Membership, Person, Position, Role

COLLEGE_WIDE = frozenset({Role.TEACHER, Role.DEPUTY, Role.SECRETARY, Role.ADMIN, Role.DIRECTOR})


def not_yours() -> str:
    return _("This position is not of your college.")


def _require(actor: Actor) -> None:
    policy.require(actor, policy.Action.MANAGE_STAFF, policy.Target(actor.org_id), not_yours())


async def college_positions(session: AsyncSession, actor: Actor) -> Sequence[Position]:
    _require(actor)
    return await q.college_positions(session, actor.org_id)


async def assign(
    session: AsyncSession, actor: Actor, person_id: int, position_id: int, *, today: date
) -> tuple[Person, Position]:
    """Give the person the position; they hold its base role through it from today."""
    _require(actor)
    person = await session.get(Person, person_id)
    position = await session.get(Position, position_id)
    if person is None or person.org_id != actor.org_id:
        raise Denied(_("This person is not of your college."))
    if position is None or position.org_id != actor.org_id or position.builtin:
        raise Denied(not_yours())
    if position.role not in COLLEGE_WIDE:
        raise Invalid(
            _("A position based on the curator's role is given by the import, with the groups.")
        )
    membership = await q.membership_of(session, person.id, position.role)
    old = {}
    if membership is None:
        membership = Membership(
            org_id=person.org_id, person_id=person.id, role=position.role, since=today
        )
        session.add(membership)
    else:
        old = {"position_id": membership.position_id, "active": membership.active}
    membership.position_id, membership.active, membership.until = position.id, True, None
    await session.flush()
    audit.record(
        session,
        org_id=actor.org_id,
        actor_id=actor.person_id,
        action="update" if old else "create",
        entity="membership",
        entity_id=membership.id,
        old=old,
        new={"position_id": position.id, "role": position.role, "active": True},
    )
    return person, position
