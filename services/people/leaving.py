"""People who leave the staff, and their teaching load handed to another teacher.

The administrator (or the import, by the staff sheet's explicit ``status`` column, never by a
row merely missing) ends a staff member's roles from a date: the day before is the last they
hold them (``Membership.until``). Roles ending today or earlier end at once; later ones end by
the daily job (``end_due_roles``). When a person has no role left, their linked Telegram
accounts are revoked; a teacher who is also a parent keeps the account for the parent's role.

The deputy director hands a teacher's group and discipline to another teacher from a date:
the teaching assignment and the timetable follow, and so do the lessons from that date on;
earlier lessons keep who taught them, so past registers and grades stay exactly as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied, Invalid
from core.i18n import _
from services import policy
from services.access import Actor
from services.people import accounts as acc
from storage import audit
from storage import people as people_q
from storage import staff as q
from storage.models import Discipline, Group, Person


@dataclass(frozen=True)
class Leaving:
    person: Person
    from_day: date
    roles_ended: int
    accounts_revoked: int


@dataclass(frozen=True)
class Handover:
    old_teacher: Person
    new_teacher: Person
    group: Group
    discipline: Discipline
    from_day: date
    lessons_moved: int


def not_in_college() -> str:
    return _("This person is not of your college.")


async def end_staff_roles(
    session: AsyncSession,
    person: Person,
    *,
    from_day: date,
    today: date,
    now: datetime,
    actor_id: int | None,
    source: str,
) -> Leaving:
    """End the person's staff roles from ``from_day``; nothing to end gives zero roles."""
    ended = 0
    for m in await q.staff_memberships(session, person.id):
        old = {"active": m.active, "until": m.until}
        m.until = from_day  # the first day without it, as an order's effective date
        m.active = from_day > today
        ended += 1
        audit.record(
            session,
            org_id=person.org_id,
            actor_id=actor_id,
            action="update",
            entity="membership",
            entity_id=m.id,
            old=old,
            new={"active": m.active, "until": m.until},
            source=source,
        )
    await session.flush()
    revoked = 0
    if ended and from_day <= today:
        revoked = await _close_accounts(session, person, now, actor_id, source)
    return Leaving(person, from_day, ended, revoked)


async def _close_accounts(
    session: AsyncSession, person: Person, now: datetime, actor_id: int | None, source: str
) -> int:
    if await q.has_active_role(session, person.id):
        return 0
    accounts = await people_q.accounts_of(session, person.id)
    for account in accounts:
        acc.revoke_account(
            session, account, now=now, actor_id=actor_id, org_id=person.org_id, source=source
        )
    return len(accounts)


async def leave(
    session: AsyncSession, actor: Actor, person_id: int, *, from_day: date, now: datetime
) -> Leaving:
    """The administrator ends a staff member's roles from ``from_day``."""
    person = await session.get(Person, person_id)
    if person is None or not policy.can(
        actor, policy.Action.MANAGE_STAFF, policy.Target(person.org_id)
    ):
        raise Denied(not_in_college())
    today = actor.today(now)
    if from_day < today - timedelta(days=366):
        raise Invalid(_("The date is more than a year ago: check the year."))
    done = await end_staff_roles(
        session,
        person,
        from_day=from_day,
        today=today,
        now=now,
        actor_id=actor.person_id,
        source="bot",
    )
    if not done.roles_ended:
        raise Invalid(
            _("{name} holds no staff role, so there is nothing to end.").format(
                name=person.short_name
            )
        )
    return done


async def end_due_roles(session: AsyncSession, today: date, now: datetime) -> int:
    """The daily job: roles whose last day has passed end, and people left with no role lose
    their accounts. Returns the roles ended."""
    due = await q.due_to_end(session, today)
    people: set[int] = set()
    for m in due:
        m.active = False
        people.add(m.person_id)
        audit.record(
            session,
            org_id=m.org_id,
            actor_id=None,
            action="update",
            entity="membership",
            entity_id=m.id,
            old={"active": True},
            new={"active": False},
            source="job",
        )
    await session.flush()
    for person_id in people:
        person = await session.get(Person, person_id)
        if person is not None:
            await _close_accounts(session, person, now, None, "job")
    return len(due)


def _require_deputy(actor: Actor) -> None:
    policy.require(
        actor,
        policy.Action.REASSIGN_TEACHING,
        policy.Target(actor.org_id),
        _("Teaching loads are handed over by the deputy director."),
    )


async def teachers(session: AsyncSession, actor: Actor) -> Sequence[Person]:
    """The college's teachers, to choose whose load is handed over and to whom."""
    _require_deputy(actor)
    return await q.college_teachers(session, actor.org_id)


FOUND_AT_MOST = 10  # teachers listed for a few letters of a surname


async def find_teachers(session: AsyncSession, actor: Actor, letters: str) -> Sequence[Person]:
    """The college's teachers whose surname starts with ``letters``: who takes a load over."""
    _require_deputy(actor)
    return await q.teachers_by_letters(session, actor.org_id, letters, FOUND_AT_MOST)


async def loads(
    session: AsyncSession, actor: Actor, teacher_id: int
) -> tuple[Person, list[tuple[Group, Discipline]]]:
    """A teacher of the college and their groups and disciplines."""
    _require_deputy(actor)
    teacher = await session.get(Person, teacher_id)
    if teacher is None or teacher.org_id != actor.org_id:
        raise Denied(not_in_college())
    return teacher, await q.loads_of(session, actor.org_id, teacher.id)


@dataclass(frozen=True)
class HandoverPlan:
    old_teacher: Person
    new_teacher: Person
    group: Group
    discipline: Discipline


async def plan_handover(
    session: AsyncSession,
    actor: Actor,
    *,
    old_teacher_id: int,
    new_teacher_id: int,
    group_id: int,
    discipline_id: int,
) -> HandoverPlan:
    """What a handover would do, checked as ``hand_over`` checks it, for the preview."""
    _require_deputy(actor)
    old = await session.get(Person, old_teacher_id)
    new = await session.get(Person, new_teacher_id)
    group = await session.get(Group, group_id)
    discipline = await session.get(Discipline, discipline_id)
    if any(x is None or x.org_id != actor.org_id for x in (old, new, group, discipline)):
        raise Denied(not_in_college())
    assert old is not None and new is not None and group is not None and discipline is not None
    await _receiving(session, actor, old, new)
    return HandoverPlan(old, new, group, discipline)


async def _receiving(session: AsyncSession, actor: Actor, old: Person, new: Person) -> None:
    """The teacher who takes the load over: another teacher of the college."""
    if new.id == old.id:
        raise Invalid(_("Choose another teacher: this one already teaches it."))
    if not await q.teaches_in_college(session, actor.org_id, new.id):
        raise Invalid(
            _("{teacher} is not a teacher of the college.").format(teacher=new.short_name)
        )


async def hand_over(
    session: AsyncSession,
    actor: Actor,
    *,
    old_teacher_id: int,
    new_teacher_id: int,
    group_id: int,
    discipline_id: int,
    from_day: date,
    today: date | None = None,
    source: str = "bot",
) -> Handover:
    """The deputy hands the group and discipline of one teacher to another from ``from_day``
    (not before ``today``, when given: lessons already given keep the teacher who gave them)."""
    _require_deputy(actor)
    if today is not None and from_day < today:
        raise Invalid(
            _("A handover starts today at the earliest: lessons already given keep their teacher.")
        )
    old = await session.get(Person, old_teacher_id)
    new = await session.get(Person, new_teacher_id)
    group = await session.get(Group, group_id)
    discipline = await session.get(Discipline, discipline_id)
    if any(x is None or x.org_id != actor.org_id for x in (old, new, group, discipline)):
        raise Denied(not_in_college())
    assert old is not None and new is not None and group is not None and discipline is not None
    found = await q.assignments_of(session, old.id, group.id, discipline.id)
    if not found:
        raise Invalid(
            _(
                "{teacher} does not teach {discipline} in {group}: there is nothing to hand over."
            ).format(teacher=old.short_name, discipline=discipline.name, group=group.name)
        )
    await _receiving(session, actor, old, new)
    for assignment in found:
        already = await q.assignments_of(session, new.id, group.id, discipline.id)
        if any(
            a.subgroup_id == assignment.subgroup_id and a.period_id == assignment.period_id
            for a in already
        ):
            await session.delete(assignment)
        else:
            assignment.teacher_id = new.id
    moved = await q.hand_over_lessons(session, old.id, new.id, group.id, discipline.id, from_day)
    audit.record(
        session,
        org_id=actor.org_id,
        actor_id=actor.person_id,
        action="update",
        entity="teaching_assignment",
        entity_id=found[0].id,
        old={"teacher_id": old.id},
        new={
            "teacher_id": new.id,
            "group_id": group.id,
            "discipline_id": discipline.id,
            "from": from_day,
            "lessons_moved": moved,
        },
        source=source,
    )
    await session.flush()
    return Handover(old, new, group, discipline, from_day, moved)
