"""Annulling a movement order before its effective date (the deputy director's).

Entering an order writes its dated history at once (services/orders/effects.py): the stays
in groups it ends or begins and the roles it ends on its date. Annulling undoes exactly that:
the stays it began are removed, the stay it ended is open again, the roles it ended on its
date run on. The order stays on file, marked annulled (who, when), in the student's history
and the audit log, and never takes effect; its number stays taken. An order in effect is not
annulled (enter a new order instead), nor one a later order builds on, nor an enrolment
(its new student may already have a link)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied, Invalid
from core.i18n import _, fmt_date
from services import policy
from services.access import Actor
from services.orders.draft import LEAVING
from services.orders.effects import log_change
from storage import orders as q
from storage.models import MovementOrder, OrderKind


def require_right(actor: Actor) -> None:
    policy.require(
        actor,
        policy.Action.ANNUL_ORDERS,
        policy.Target(actor.org_id),
        _("Orders are annulled by the deputy director."),
    )


def may_annul(actor: Actor, order: MovementOrder, today: date) -> bool:
    """Whether to offer the button (the press is checked again by ``annul``)."""
    return (
        policy.can(actor, policy.Action.ANNUL_ORDERS, policy.Target(actor.org_id))
        and order.annulled_at is None
        and order.applied_on is None
        and order.effective_on > today
        and order.kind is not OrderKind.ENROLMENT
    )


async def annullable(
    session: AsyncSession, actor: Actor, order_id: int, today: date
) -> MovementOrder:
    """The order if the actor may annul it now, else a refusal naming what is wrong."""
    require_right(actor)
    order = await q.order(session, order_id)
    if order is None or order.org_id != actor.org_id:
        raise Denied(_("This order is not of your college."))
    number = order.number
    if order.annulled_at is not None:
        raise Invalid(_("Order No. {number} is annulled already.").format(number=number))
    if order.applied_on is not None or order.effective_on <= today:
        raise Invalid(
            _(
                "Order No. {number} took effect on {date}: only an order whose date is still "
                "ahead can be annulled. Enter a new order instead."
            ).format(number=number, date=fmt_date(order.effective_on, "dd.MM.y"))
        )
    if order.kind is OrderKind.ENROLMENT:
        raise Invalid(
            _(
                "An enrolment order is not annulled in the bot: enter an expulsion from its "
                "effective date instead."
            )
        )
    if await q.later_naming(session, order):
        raise Invalid(
            _("A later order names a student of order No. {number}: annul that one first.").format(
                number=number
            )
        )
    return order


async def annul(session: AsyncSession, actor: Actor, order_id: int, now: datetime) -> MovementOrder:
    """Undo the order's dated history and mark it annulled; every change audited."""
    order = await annullable(session, actor, order_id, actor.today(now))
    for line in await q.lines(session, order.id):
        await _undo(session, actor, order, line.student_id)
    order.annulled_at, order.annulled_by = now, actor.person_id
    log_change(
        session, order.org_id, actor.person_id, "update", order,
        {"annulled_at": None}, {"annulled_at": now},
    )  # fmt: skip
    await session.flush()
    return order


async def _undo(session: AsyncSession, actor: Actor, order: MovementOrder, student_id: int) -> None:
    day, who = order.effective_on, actor.person_id
    stays = await q.stays(session, student_id)
    for stay in stays:
        if stay.order_id == order.id:
            log_change(session, order.org_id, who, "delete", stay, {"group_id": stay.group_id}, {})
            await session.delete(stay)
    kept = [s for s in stays if s.order_id != order.id]
    # The stay the order ended on its date is open again (no later order exists: checked).
    if kept and all(s.until is not None for s in kept) and kept[-1].until == day:
        kept[-1].until = None
        log_change(session, order.org_id, who, "update", kept[-1], {"until": day}, {"until": None})
    if order.kind in LEAVING:
        for membership in await q.family_memberships(session, student_id):
            if membership.until == day:
                membership.until = None
                log_change(
                    session, order.org_id, who, "update", membership,
                    {"until": day}, {"until": None},
                )  # fmt: skip
    await session.flush()
