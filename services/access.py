"""Who may change the journal: the actor, the rules as plain functions, and loaders that fetch
and authorise in one step.

Callback data can be forged, so every use case re-checks on the server: the actor's right
reaches the lesson (services/policy.py: their own lesson, or any of the college for the deputy
director), the student is on that lesson's register, the period is open, the edit window has
not passed. A lesson that is missing, of another college or of another teacher is refused
with one and the same message, so ids cannot be probed.

Rules of thumb the checks encode:
* a closed period stops everyone, the deputy included: closing is the final lock, and the
  deputy reopens the period (``Period.closed``) when a correction is really needed;
* the edit window (``settings.rules.edit_window_days`` staff working days after the lesson's
  date, in the college's time zone, never shorter than R1's deadline plus a working day:
  services/calendar/edit_window.py) stops the teacher, not whoever may
  ``CORRECT_AFTER_WINDOW``;
* the register and grades open on the lesson's day; the topic, homework and the distance
  format may be entered ahead (``ENTERED_AHEAD``), that is how teachers plan;
* a cancelled lesson takes no journal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import JournalRules
from core.errors import Denied
from core.i18n import _, fmt_date, ngettext
from services import policy
from services.calendar import edit_window
from services.calendar.workdays import WorkCalendar, load_work_calendar
from services.policy import Action, Target
from storage import journal as q
from storage import people, teaching
from storage.journal import LessonInfo
from storage.models import (
    Discipline,
    Group,
    Lesson,
    Membership,
    Organisation,
    Period,
    Person,
    Role,
    Subgroup,
    TeachingAssignment,
)

DEFAULT_EDIT_WINDOW_DAYS = JournalRules().edit_window_days
ENTERED_AHEAD = frozenset({Action.EDIT_LESSON_DETAILS})  # planned before the lesson


@dataclass(frozen=True)
class Actor:
    """The person acting, with what the rules and the screens need to know about them.
    ``rights``: what the roles held grant, plus what a position grants (``granted``),
    computed once, when the actor is made. A role held through a college's own position
    (``positions``: the role and the position's rights) grants those rights instead of
    its own."""

    person_id: int
    org_id: int
    roles: frozenset[Role]
    name: str = ""
    timezone: str = "Asia/Sakhalin"
    edit_window_days: int = DEFAULT_EDIT_WINDOW_DAYS
    curator_group_ids: frozenset[int] = frozenset()
    child_ids: frozenset[int] = frozenset()
    student_id: int | None = None  # their own student record, if they study
    granted: frozenset[Action] = frozenset()
    # The college's working days: the edit window is counted in them.
    calendar: WorkCalendar = field(default_factory=WorkCalendar, compare=False, repr=False)
    positions: tuple[tuple[Role, frozenset[Action]], ...] = ()
    rights: frozenset[Action] = field(init=False)

    def __post_init__(self) -> None:
        plain = self.roles - {role for role, _rights in self.positions}
        by_position = frozenset().union(*(rights for _role, rights in self.positions))
        object.__setattr__(self, "rights", policy.rights_of(plain) | by_position | self.granted)

    def rights_as(self, role: Role | None) -> frozenset[Action]:
        """What the actor may do while using ``role``: its position's rights, else the
        role's."""
        if role is None or role not in self.roles:
            return frozenset()
        held = [rights for r, rights in self.positions if r is role]
        return frozenset().union(*held) if held else policy.RIGHTS[role]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self, now: datetime) -> date:
        """The college's date at ``now``: lesson dates are local dates."""
        return now.astimezone(self.tz).date()


def held_positions(
    memberships: Iterable[Membership], position_rights: Mapping[int, frozenset[Action]]
) -> tuple[tuple[Role, frozenset[Action]], ...]:
    """The roles held through a college's own position, with the position's rights."""
    found: dict[Role, frozenset[Action]] = {}
    for m in memberships:
        if m.position_id is not None and m.position_id in position_rights:
            found[m.role] = found.get(m.role, frozenset()) | position_rights[m.position_id]
    return tuple(found.items())


async def position_rights(
    session: AsyncSession, memberships: Iterable[Membership]
) -> dict[int, frozenset[Action]]:
    """The rights of the college's own positions among the memberships, by position id."""
    ids = {m.position_id for m in memberships if m.position_id is not None}
    words = await people.custom_position_words(session, ids)
    return {pid: policy.rights_of_words(w) for pid, w in words.items()}


def make_actor(
    person: Person,
    memberships: Iterable[Membership],
    *,
    timezone: str = "Asia/Sakhalin",
    edit_window_days: int = DEFAULT_EDIT_WINDOW_DAYS,
    calendar: WorkCalendar | None = None,
    positions: Mapping[int, frozenset[Action]] | None = None,
) -> Actor:
    held = [m for m in memberships if m.active and m.org_id == person.org_id]
    return Actor(
        person_id=person.id,
        org_id=person.org_id,
        roles=frozenset(m.role for m in held),
        name=person.short_name,
        timezone=timezone,
        edit_window_days=edit_window_days,
        calendar=calendar if calendar is not None else WorkCalendar(),
        curator_group_ids=frozenset(
            m.group_id for m in held if m.role is Role.CURATOR and m.group_id
        ),
        child_ids=frozenset(m.student_id for m in held if m.role is Role.PARENT and m.student_id),
        student_id=next(
            (m.student_id for m in held if m.role is Role.STUDENT and m.student_id), None
        ),
        positions=held_positions(held, positions or {}),
    )


async def load_actor(
    session: AsyncSession, person_id: int, *, edit_window_days: int = DEFAULT_EDIT_WINDOW_DAYS
) -> Actor:
    """The actor behind ``person_id`` with their active roles and their college's zone.
    Handlers pass ``settings.rules.edit_window_days``."""
    row = (
        await session.execute(
            select(Person, Organisation.timezone)
            .join(Organisation, Organisation.id == Person.org_id)
            .where(Person.id == person_id)
        )
    ).first()
    if row is None:
        raise Denied(_("Your account is not linked to the journal."))
    person, timezone = row
    memberships = await people.active_memberships(session, person_id)
    calendar = await load_work_calendar(session, person.org_id)
    return make_actor(
        person,
        memberships,
        timezone=timezone,
        edit_window_days=edit_window_days,
        calendar=calendar,
        positions=await position_rights(session, memberships),
    )


class Refusal(StrEnum):
    """Why a lesson's journal may not be changed now."""

    NOT_YOURS = "not_yours"  # missing, of another college or of another teacher
    CANCELLED = "cancelled"
    PERIOD_CLOSED = "period_closed"
    NOT_YET = "not_yet"
    WINDOW_PASSED = "window_passed"


def teaches(actor: Actor, lesson: Lesson) -> bool:
    """The lesson is the actor's own, not one they oversee."""
    return any(policy.holds(actor, a, Target.lesson(lesson)) for a in policy.LESSON_RIGHTS)


def may_view_lesson(actor: Actor, lesson: Lesson) -> bool:
    """The teacher of the lesson, and whoever may keep or read the journals of its college."""
    target = Target.lesson(lesson)
    return any(policy.can(actor, a, target) for a in policy.LESSON_RIGHTS) or policy.can(
        actor, Action.READ_GROUP_JOURNALS, target
    )


def edit_deadline(lesson_date: date, window: int, cal: WorkCalendar) -> date:
    """The last day the teacher may still change the lesson's journal."""
    return edit_window.edit_deadline(lesson_date, window, cal)


def window_open(lesson_date: date, today: date, window: int, cal: WorkCalendar) -> bool:
    return edit_window.window_open(lesson_date, today, window, cal)


def edit_refusal(
    actor: Actor,
    lesson: Lesson,
    period: Period,
    today: date,
    window: int,
    *,
    action: Action,
) -> Refusal | None:
    """Why ``actor`` may not do ``action`` (one of the lesson's rights) on ``today``; None
    when they may."""
    target = Target.lesson(lesson)
    if not policy.can(actor, action, target):
        return Refusal.NOT_YOURS
    if lesson.cancelled:
        return Refusal.CANCELLED
    if period.closed:
        return Refusal.PERIOD_CLOSED
    if action not in ENTERED_AHEAD and lesson.date > today:
        return Refusal.NOT_YET
    late = not window_open(lesson.date, today, window, actor.calendar)
    if late and not policy.can(actor, Action.CORRECT_AFTER_WINDOW, target):
        return Refusal.WINDOW_PASSED
    return None


def may_edit_lesson(
    actor: Actor,
    lesson: Lesson,
    period: Period,
    today: date,
    window: int,
    *,
    action: Action,
) -> bool:
    return edit_refusal(actor, lesson, period, today, window, action=action) is None


def period_closed(period: Period) -> str:
    return _("The period “{period}” is closed: its journal can no longer be changed.").format(
        period=period.name
    )


def changed_meanwhile() -> str:
    return _(
        "Someone else changed this at the same moment, so nothing was saved. Please open it again."
    )


def not_your_lesson() -> str:
    return _("This lesson is not among your lessons.")


def refusal_message(refusal: Refusal, lesson: Lesson, period: Period, window: int) -> str:
    day = fmt_date(lesson.date, "d MMMM y")
    if refusal is Refusal.CANCELLED:
        return _("This lesson was cancelled, so its journal cannot be filled in.")
    if refusal is Refusal.PERIOD_CLOSED:
        return period_closed(period)
    if refusal is Refusal.NOT_YET:
        return _(
            "The lesson of {date} has not taken place yet: its register and grades open "
            "on that day."
        ).format(date=day)
    if refusal is Refusal.WINDOW_PASSED:
        days = edit_window.window_days(window)
        return ngettext(
            "The lesson of {date} can no longer be changed: the edit window of {days} "
            "working day has passed. Please ask the deputy director to make the change.",
            "The lesson of {date} can no longer be changed: the edit window of {days} "
            "working days has passed. Please ask the deputy director to make the change.",
            days,
        ).format(date=day, days=days)
    return not_your_lesson()


def lock_reason(actor: Actor, info: LessonInfo, now: datetime, *, action: Action) -> str | None:
    """Why the actor, who may see the lesson, cannot do ``action`` now, as the screen says
    it; None when they can."""
    window = actor.edit_window_days
    today = actor.today(now)
    refusal = edit_refusal(actor, info.lesson, info.period, today, window, action=action)
    if refusal is None:
        return None
    if refusal is Refusal.NOT_YOURS:  # the deputy's or director's look at another's lesson
        return _("You can see this lesson's journal but not change it.")
    return refusal_message(refusal, info.lesson, info.period, window)


async def lesson_for_view(session: AsyncSession, actor: Actor, lesson_id: int) -> LessonInfo:
    """The lesson if the actor may look at its journal, else Denied."""
    info = await q.lesson_info(session, lesson_id)
    if info is None or not may_view_lesson(actor, info.lesson):
        raise Denied(not_your_lesson())
    return info


async def lesson_for_edit(
    session: AsyncSession,
    actor: Actor,
    lesson_id: int,
    now: datetime,
    *,
    action: Action,
    share_lock: bool = False,
) -> LessonInfo:
    """The lesson if the actor may do ``action`` (one of the lesson's rights) at ``now``,
    else Denied saying why."""
    info = await q.lesson_info(session, lesson_id, share_lock=share_lock)
    if info is None:
        raise Denied(not_your_lesson())
    check_edit(actor, info, now, action=action)
    return info


def check_edit(actor: Actor, info: LessonInfo, now: datetime, *, action: Action) -> None:
    """Denied, saying why, unless the actor may do ``action`` on the lesson at ``now``."""
    window = actor.edit_window_days
    refusal = edit_refusal(actor, info.lesson, info.period, actor.today(now), window, action=action)
    if refusal is not None:
        raise Denied(refusal_message(refusal, info.lesson, info.period, window))


def not_on_register() -> str:
    return _("This student is not on the register of this lesson.")


async def check_student(session: AsyncSession, lesson: Lesson, student_id: int) -> None:
    """Denied unless the student was in the lesson's group (and subgroup) on its day."""
    if not await q.on_roster(session, lesson.group_id, lesson.subgroup_id, student_id, lesson.date):
        raise Denied(not_on_register())


@dataclass(frozen=True)
class TeachingScope:
    """A group (or one of its subgroups) and a discipline the actor answers for."""

    group: Group
    discipline: Discipline
    period: Period | None
    subgroup_id: int | None


def covers(assignments: Iterable[TeachingAssignment], subgroup_id: int | None) -> bool:
    """Whether the assignments reach the subgroup (None: the whole group). An assignment to
    the whole group reaches every subgroup; one to a subgroup reaches that subgroup only."""
    return any(a.subgroup_id is None or a.subgroup_id == subgroup_id for a in assignments)


def not_your_teaching() -> str:
    return _("This group and discipline are not among those you teach.")


async def teaching_for(
    session: AsyncSession,
    actor: Actor,
    group_id: int,
    discipline_id: int,
    *,
    action: Action,
    period_id: int | None = None,
    subgroup_id: int | None = None,
    any_subgroup: bool = False,
) -> TeachingScope:
    """The group, discipline (and period) if the actor may do ``action`` there: they teach
    them (in the period, to the subgroup; ``any_subgroup``: to any part of the group), or a
    wider right reaches the whole college."""
    group = await session.get(Group, group_id)
    discipline = await session.get(Discipline, discipline_id)
    period = await session.get(Period, period_id) if period_id is not None else None
    subgroup = await session.get(Subgroup, subgroup_id) if subgroup_id is not None else None
    if (
        group is None
        or discipline is None
        or group.org_id != actor.org_id
        or discipline.org_id != actor.org_id
        or (period_id is not None and (period is None or period.org_id != actor.org_id))
        or (subgroup_id is not None and (subgroup is None or subgroup.group_id != group_id))
    ):
        raise Denied(not_your_teaching())
    taught = False
    if policy.holds(actor, action):
        found = await teaching.assignments_for(
            session, actor.person_id, group_id, discipline_id, period_id
        )
        taught = bool(found) if any_subgroup else covers(found, subgroup_id)
    target = Target(actor.org_id, teacher_id=actor.person_id if taught else None, group_id=group_id)
    policy.require(actor, action, target, not_your_teaching())
    return TeachingScope(group, discipline, period, subgroup_id)
