"""A student's card as the office sees it: who, where, and every order that moved them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied
from core.i18n import _
from services.access import Actor
from services.orders import annulment
from services.orders.draft import require_right
from storage import orders as q
from storage.models import OrderKind, StudentStatus


@dataclass(frozen=True)
class Movement:
    order_id: int
    kind: OrderKind
    number: str
    decided_on: date
    effective_on: date
    from_group: str
    to_group: str
    note: str
    annulled: bool = False
    may_annul: bool = False  # a button for the deputy: the order's date is still ahead


@dataclass(frozen=True)
class StudentCard:
    student_id: int
    full_name: str
    short_name: str
    group_name: str
    status: StudentStatus
    history: list[Movement]


async def student_card(
    session: AsyncSession, actor: Actor, student_id: int, today: date | None = None
) -> StudentCard:
    require_right(actor)
    student = await q.student(session, actor.org_id, student_id)
    if student is None:
        raise Denied(_("This student is not in the journal of your college."))
    group = await q.group(session, actor.org_id, student.group_id or 0)
    history = [
        Movement(
            r.order.id,
            r.order.kind,
            r.order.number,
            r.order.decided_on,
            r.order.effective_on,
            r.from_group,
            r.to_group,
            r.order.note,
            annulled=r.order.annulled_at is not None,
            may_annul=today is not None and annulment.may_annul(actor, r.order, today),
        )
        for r in await q.history(session, student.id)
    ]
    person = student.person
    return StudentCard(
        student.id,
        person.full_name,
        person.short_name,
        group.name if group else "",
        student.status,
        history,
    )
