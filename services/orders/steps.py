"""What the steps of entering an order read: the college's groups, students found by a few
letters of the surname, the student, group or subgroup a press names. Each read checks the
right again and that what the press names belongs to the actor's college (a press is never
trusted)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Invalid
from core.i18n import _
from services.access import Actor
from storage import orders as q
from storage.models import Group, Subgroup
from storage.orders import FoundStudent

from .draft import refuse_if_left, require_right


def not_a_group() -> str:
    return _("Choose one of the college's groups.")


async def groups(session: AsyncSession, actor: Actor) -> list[Group]:
    """The college's open groups, by name."""
    require_right(actor)
    return await q.groups(session, actor.org_id)


async def find_students(session: AsyncSession, actor: Actor, letters: str) -> list[FoundStudent]:
    require_right(actor)
    return await q.find_students(session, actor.org_id, letters)


async def student(session: AsyncSession, actor: Actor, student_id: int) -> tuple[int, str]:
    """The student an order is for, with their short name; one who left is refused at once,
    before the details are typed."""
    require_right(actor)
    found = await q.student(session, actor.org_id, student_id)
    if found is None:
        raise Invalid(_("This student is not in the journal of your college."))
    who = found.person.short_name
    refuse_if_left(found, who)
    return found.id, who


async def group(
    session: AsyncSession, actor: Actor, group_id: int, *, open_only: bool = False
) -> Group:
    require_right(actor)
    found = await q.group(session, actor.org_id, group_id)
    if found is None or (open_only and not found.active):
        raise Invalid(not_a_group())
    return found


async def subgroups(session: AsyncSession, actor: Actor, group: Group) -> list[Subgroup]:
    require_right(actor)
    return await q.subgroups(session, group.id)


async def subgroup(
    session: AsyncSession, actor: Actor, group_id: int, subgroup_id: int
) -> Subgroup | None:
    """The subgroup of ``group_id`` a press names; None when it is not of that group."""
    require_right(actor)
    found = await q.subgroup(session, subgroup_id)
    return found if found is not None and found.group_id == group_id else None


async def is_applied(session: AsyncSession, order_id: int) -> bool:
    """Whether the order entered has taken effect already (its date is today or past)."""
    order = await q.order(session, order_id)
    return order is not None and order.applied_on is not None
