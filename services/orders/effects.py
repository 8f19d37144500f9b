"""Storing an order and its effects, each in the audit log.

When an order is entered, its dated history is written: stays in groups end or begin on the
effective date, and the student's and parents' roles for the student end on it (``until``).
Registers and access read those dates, so they change on the day whether or not anything
runs then. On the effective date ``apply`` makes the rest: the student's status and current
group (curator lists, announcements, invite exports read them), subgroups, unused invites
revoked, roles made inactive, the group's course or its closing."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor
from services.orders.draft import LEAVING, Checked, check
from storage import orders as q
from storage import people
from storage.audit import record
from storage.models import (
    GroupEnrolment,
    Membership,
    MovementOrder,
    OrderKind,
    OrderStudent,
    Person,
    Role,
    Student,
    StudentStatus,
    Subgroup,
    SubgroupMember,
)

log = logging.getLogger(__name__)

STATUS_AFTER = {
    OrderKind.ENROLMENT: StudentStatus.STUDYING,
    OrderKind.TRANSFER: StudentStatus.STUDYING,
    OrderKind.REINSTATEMENT: StudentStatus.STUDYING,
    OrderKind.ACADEMIC_LEAVE: StudentStatus.ACADEMIC_LEAVE,
    OrderKind.EXPULSION: StudentStatus.EXPELLED,
    OrderKind.GRADUATION: StudentStatus.GRADUATED,
}


async def enter(session: AsyncSession, actor: Actor, checked: Checked, now: datetime) -> int:
    """Store the order (checked once more against the store as it is now), its dated history,
    and, when it is already in effect, its effects. Returns the order's id."""
    checked = await check(session, actor, checked.draft)
    draft = checked.draft
    assert draft.decided_on is not None and draft.effective_on is not None
    order = MovementOrder(
        org_id=actor.org_id,
        number=draft.number,
        year=draft.decided_on.year,
        kind=draft.kind,
        group_id=draft.group_id,
        decided_on=draft.decided_on,
        effective_on=draft.effective_on,
        entered_at=now,
        entered_by=actor.person_id,
        note=draft.note,
    )
    session.add(order)
    await session.flush()
    log_change(session, order.org_id, actor.person_id, "create", order, None, _fields(order))
    if draft.kind is OrderKind.ENROLMENT:
        student_ids = [await _new_student(session, actor, checked, order)]
    else:
        student_ids = [c.student_id for c in checked.changes]
    for student_id in student_ids:
        await _history(session, actor.person_id, order, student_id, checked)
    await session.flush()
    today = actor.today(now)
    if order.effective_on <= today:
        await apply(session, order, now, today, actor.person_id)
    return order.id


async def _new_student(
    session: AsyncSession, actor: Actor, checked: Checked, order: MovementOrder
) -> int:
    """Enrolment: the person and their student record. Their group is set on the effective
    date; their stay and role start then."""
    parts = [*checked.draft.new_name, ""][:3]
    person = Person(
        org_id=actor.org_id,
        external_id=f"order-{order.id}",
        last_name=parts[0],
        first_name=parts[1],
        middle_name=parts[2],
    )
    session.add(person)
    await session.flush()
    student = Student(org_id=actor.org_id, person_id=person.id, status=StudentStatus.STUDYING)
    session.add(student)
    await session.flush()
    membership = Membership(
        org_id=actor.org_id,
        person_id=person.id,
        role=Role.STUDENT,
        student_id=student.id,
        since=order.effective_on,
    )
    session.add(membership)
    await session.flush()
    new = {"last_name": parts[0], "first_name": parts[1], "middle_name": parts[2]}
    record(
        session, org_id=actor.org_id, actor_id=actor.person_id, action="create",
        entity="person", entity_id=person.id, new=new,
    )  # fmt: skip
    record(
        session, org_id=actor.org_id, actor_id=actor.person_id, action="create",
        entity="student", entity_id=student.id, new={"person_id": person.id, "order_id": order.id},
    )  # fmt: skip
    return student.id


async def _history(
    session: AsyncSession, actor_id: int, order: MovementOrder, student_id: int, checked: Checked
) -> None:
    """The order's line for the student and their dated group history and roles."""
    draft, day = checked.draft, order.effective_on
    stays = await q.stays(session, student_id)
    stay = next((s for s in reversed(stays) if s.until is None), None)
    from_group = stay.group_id if stay else (stays[-1].group_id if stays else None)
    to_group: int | None = None
    if order.kind in (OrderKind.ENROLMENT, OrderKind.TRANSFER):
        to_group = draft.to_group_id
    elif order.kind is OrderKind.REINSTATEMENT:
        to_group = from_group
    line = OrderStudent(
        order_id=order.id,
        student_id=student_id,
        from_group_id=None if order.kind is OrderKind.ENROLMENT else from_group,
        to_group_id=to_group,
        to_subgroup_id=draft.to_subgroup_id,
    )
    session.add(line)
    moves = to_group is not None and (stay is None or stay.group_id != to_group)
    if stay is not None and (
        moves or order.kind in LEAVING or order.kind is OrderKind.ACADEMIC_LEAVE
    ):
        stay.until = day
        log_change(session, order.org_id, actor_id, "update", stay, {"until": None}, {"until": day})
    if moves:
        new = GroupEnrolment(student_id=student_id, group_id=to_group, since=day, order_id=order.id)
        session.add(new)
        await session.flush()
        log_change(
            session,
            order.org_id,
            actor_id,
            "create",
            new,
            None,
            {"group_id": to_group, "since": day},
        )
    if order.kind in LEAVING:
        for membership in await q.family_memberships(session, student_id):
            if membership.until is None or membership.until > day:
                old = {"until": membership.until}
                membership.until = day
                log_change(
                    session, order.org_id, actor_id, "update", membership, old, {"until": day}
                )


async def apply(
    session: AsyncSession,
    order: MovementOrder,
    now: datetime,
    today: date,
    actor_id: int | None = None,
) -> bool:
    """The order's effects on its effective date; False when they were made already (by
    another process, or before)."""
    if not await q.claim(session, order.id, today):
        return False
    source = "bot" if actor_id is not None else "scheduler"
    lines = await q.lines(session, order.id)
    revoke: set[int] = set()
    for line in lines:
        student = await session.get(Student, line.student_id, populate_existing=True)
        if student is None:
            continue
        old = {"status": student.status, "group_id": student.group_id}
        student.status = STATUS_AFTER.get(order.kind, student.status)
        if line.to_group_id is not None:
            student.group_id = line.to_group_id
        await _subgroups(session, student.id, line)
        log_change(session, order.org_id, actor_id, "update", student, old,
             {"status": student.status, "group_id": student.group_id}, source)  # fmt: skip
        if order.kind in LEAVING:
            ended: set[int] = set()
            for membership in await q.family_memberships(session, student.id):
                if membership.active and membership.until is not None and membership.until <= today:
                    membership.active = False
                    log_change(session, order.org_id, actor_id, "update", membership,
                         {"active": True}, {"active": False}, source)  # fmt: skip
                    ended.add(membership.person_id)
            await q.withdraw_notices(session, student.id, ended)
            revoke |= ended
    if revoke:
        # A parent with another child at the college keeps their link.
        gone = revoke - await q.still_active_people(session, revoke)
        if gone:
            await people.revoke_open_invites(session, sorted(gone), now)
            record(
                session, org_id=order.org_id, actor_id=actor_id, action="update",
                entity="invites", entity_id=order.id,
                new={"revoked_for": sorted(gone)}, source=source,
            )  # fmt: skip
    if order.group_id is not None:
        group = await q.group(session, order.org_id, order.group_id)
        if group is not None and order.kind is OrderKind.NEXT_COURSE:
            course = {"course_year": group.course_year}
            group.course_year += 1
            log_change(session, order.org_id, actor_id, "update", group, course,
                 {"course_year": group.course_year}, source)  # fmt: skip
        elif group is not None and order.kind is OrderKind.GRADUATION:
            group.active = False
            log_change(
                session,
                order.org_id,
                actor_id,
                "update",
                group,
                {"active": True},
                {"active": False},
                source,
            )
    record(
        session, org_id=order.org_id, actor_id=actor_id, action="update",
        entity="movement_order", entity_id=order.id,
        old={"applied_on": None}, new={"applied_on": today}, source=source,
    )  # fmt: skip
    await session.flush()
    return True


async def _subgroups(session: AsyncSession, student_id: int, line: OrderStudent) -> None:
    """A move to another group leaves the old group's subgroups; a subgroup named joins it
    (and leaves the other subgroups of its group)."""
    if line.to_subgroup_id is None and (line.to_group_id in (None, line.from_group_id)):
        return
    left_group = line.from_group_id if line.to_group_id != line.from_group_id else None
    groups = {g for g in (left_group, line.to_group_id if line.to_subgroup_id else None) if g}
    if groups:
        await session.execute(
            delete(SubgroupMember).where(
                SubgroupMember.student_id == student_id,
                SubgroupMember.subgroup_id.in_(
                    select(Subgroup.id).where(Subgroup.group_id.in_(groups))
                ),
            )
        )
    if line.to_subgroup_id is not None:
        session.add(SubgroupMember(subgroup_id=line.to_subgroup_id, student_id=student_id))


async def apply_due(session: AsyncSession, now: datetime) -> int:
    """Apply every order whose effective date has come in its college's zone (the caller
    commits). Orders missed while the bot was stopped are applied at its next run. Returns
    how many were applied."""
    applied = 0
    for order, timezone in await q.unapplied(session):
        today = now.astimezone(ZoneInfo(timezone)).date()
        if order.effective_on <= today and await apply(session, order, now, today):
            applied += 1
    return applied


def _fields(order: MovementOrder) -> dict[str, object]:
    return {
        "number": order.number,
        "kind": order.kind,
        "group_id": order.group_id,
        "decided_on": order.decided_on,
        "effective_on": order.effective_on,
        "note": order.note,
    }


def log_change(
    session: AsyncSession,
    org_id: int,
    actor_id: int | None,
    action: str,
    row: object,
    old: Mapping[str, object] | None,
    new: Mapping[str, object] | None,
    source: str = "bot",
) -> None:
    entity = getattr(row, "__tablename__", "row").rstrip("s")
    record(
        session, org_id=org_id, actor_id=actor_id, action=action, entity=entity,
        entity_id=getattr(row, "id", None), old=dict(old or {}), new=dict(new or {}), source=source,
    )  # fmt: skip
