"""An order being entered: what it is, whom it names, and the checks before it is stored.

Every check runs again on confirmation, against the store as it is then: the draft lives in
the conversation, and callback data is never trusted."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Invalid
from core.i18n import _
from services import policy
from services.access import Actor
from services.policy import Action
from storage import orders as q
from storage.models import GroupEnrolment, OrderKind, Student, StudentStatus

GROUP_KINDS = frozenset({OrderKind.NEXT_COURSE, OrderKind.GRADUATION})
LEAVING = frozenset({OrderKind.EXPULSION, OrderKind.GRADUATION})
NUMBER_MAX = 32
NOTE_MAX = 500
NAME_PART_MAX = 64
DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@dataclass
class Draft:
    """What the person has chosen so far; kept in the conversation as plain data."""

    kind: OrderKind
    student_id: int | None = None
    group_id: int | None = None  # the whole group of a group order
    to_group_id: int | None = None  # enrolment, transfer
    to_subgroup_id: int | None = None
    new_name: list[str] = field(default_factory=list)  # enrolment: surname, name, patronymic
    note: str = ""  # the reason of an expulsion
    number: str = ""
    decided_on: date | None = None
    effective_on: date | None = None

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        for key in ("decided_on", "effective_on"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Draft:
        try:
            fields = dict(data)
            fields["kind"] = OrderKind(fields["kind"])
            for key in ("decided_on", "effective_on"):
                fields[key] = date.fromisoformat(fields[key]) if fields.get(key) else None
            return cls(**fields)
        except (KeyError, TypeError, ValueError):
            raise Invalid(
                _("This order is no longer being entered. Start again from /menu.")
            ) from None


def require_right(actor: Actor) -> None:
    policy.require(
        actor,
        Action.ENTER_ORDERS,
        None,
        _("Only the secretary and the deputy director enter orders."),
    )


def parse_name(typed: str) -> list[str]:
    """A new student's full name: surname and name, a patronymic if there is one."""
    parts = typed.split()
    if not 2 <= len(parts) <= 3 or any(len(p) > NAME_PART_MAX for p in parts):
        raise Invalid(
            _("Send the surname, the name and the patronymic, if any: Иванова Анна Сергеевна")
        )
    return parts


def parse_note(typed: str) -> str:
    note = " ".join(typed.split())
    if not note:
        raise Invalid(_("Send the reason of the expulsion as it is in the order."))
    if len(note) > NOTE_MAX:
        raise Invalid(_("The reason is too long: at most {n} characters.").format(n=NOTE_MAX))
    return note


def _date(value: str) -> date:
    match = DATE.match(value)
    try:
        if match is None:
            raise ValueError
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    except ValueError:
        raise Invalid(
            _("“{value}” is not a date. Write dates as 01.09.2026.").format(value=value)
        ) from None


def parse_details(typed: str, today: date) -> tuple[str, date, date]:
    """``<number> <order date> [<effective date>]``; the effective date defaults to the
    order's. An order dated ahead of today does not exist yet."""
    parts = typed.split()
    if len(parts) not in (2, 3):
        raise Invalid(
            _(
                "Send the order's number and date, and the date it takes effect if it differs: "
                "45-к 01.12.2026 03.12.2026"
            )
        )
    number = parts[0]
    if len(number) > NUMBER_MAX:
        raise Invalid(
            _("The order's number is too long: at most {n} characters.").format(n=NUMBER_MAX)
        )
    decided = _date(parts[1])
    effective = _date(parts[2]) if len(parts) == 3 else decided
    if decided > today:
        raise Invalid(
            _(
                "The order's date {day} is still ahead: an order is entered once it is signed."
            ).format(day=decided.strftime("%d.%m.%Y"))
        )
    return number, decided, effective


# --- checks against the store -------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What an order will change for one student, as the preview lists it."""

    student_id: int
    name: str
    from_group: str
    to_group: str
    status: StudentStatus
    access_ends: bool  # their and their parents' diary, from the effective date


@dataclass(frozen=True)
class Checked:
    """A draft that passed every check, with what it will change."""

    draft: Draft
    changes: list[Change]
    group_name: str  # of a group order
    course_after: int | None  # next course


def _dmy(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _open_stay(stays: list[GroupEnrolment]) -> GroupEnrolment | None:
    return next((s for s in reversed(stays) if s.until is None), None)


def refuse_if_left(student: Student, name: str) -> None:
    """No order moves a student who has left the college."""
    if student.status in (StudentStatus.EXPELLED, StudentStatus.GRADUATED):
        raise Invalid(
            _("{name} has already left the college: no order can move them.").format(name=name)
        )


async def _check_student(
    session: AsyncSession, draft: Draft, student: Student, name: str
) -> tuple[GroupEnrolment | None, int | None]:
    """Refuses an order the student's history does not allow; returns their open stay and
    the group they return to from leave."""
    kind, effective = draft.kind, draft.effective_on
    assert effective is not None
    refuse_if_left(student, name)
    stays = await q.stays(session, student.id)
    stay = _open_stay(stays)
    last = stays[-1] if stays else None
    if kind is OrderKind.REINSTATEMENT:
        if stay is not None or student.status is not StudentStatus.ACADEMIC_LEAVE or last is None:
            raise Invalid(_("{name} is not on academic leave.").format(name=name))
        if last.until is not None and effective < last.until:
            raise Invalid(
                _("The effective date is before {name}'s leave began ({day}).").format(
                    name=name, day=_dmy(last.until)
                )
            )
        return None, last.group_id
    if stay is None:
        if kind is OrderKind.EXPULSION and student.status is StudentStatus.ACADEMIC_LEAVE:
            if last is not None and last.until is not None and effective < last.until:
                raise Invalid(
                    _("The effective date is before {name}'s leave began ({day}).").format(
                        name=name, day=_dmy(last.until)
                    )
                )
            return None, None
        if student.status is StudentStatus.ACADEMIC_LEAVE:
            raise Invalid(
                _("{name} is on academic leave: enter their return first.").format(name=name)
            )
        raise Invalid(
            _(
                "{name} has already left the college or has an order that ends their studies."
            ).format(name=name)
        )
    if effective < stay.since:
        raise Invalid(
            _("The effective date is before {name} was enrolled in the group ({day}).").format(
                name=name, day=_dmy(stay.since)
            )
        )
    if (
        kind is OrderKind.TRANSFER
        and draft.to_group_id == stay.group_id
        and draft.to_subgroup_id is None
    ):
        raise Invalid(
            _("{name} already studies in this group: choose another group or a subgroup.").format(
                name=name
            )
        )
    return stay, None


async def check(session: AsyncSession, actor: Actor, draft: Draft) -> Checked:
    """Every rule an order must meet, against the store as it is now."""
    require_right(actor)
    org_id = actor.org_id
    if not draft.number or draft.decided_on is None or draft.effective_on is None:
        raise Invalid(_("The order's number and dates are missing. Start again from /menu."))
    if await q.number_taken(session, org_id, draft.decided_on.year, draft.number):
        raise Invalid(
            _("Order No. {number} of {year} is already in the journal: check the number.").format(
                number=draft.number, year=draft.decided_on.year
            )
        )
    if draft.kind in GROUP_KINDS:
        return await _check_group(session, actor, draft)
    if draft.kind is OrderKind.ENROLMENT:
        target = await q.group(session, org_id, draft.to_group_id or 0)
        if target is None or not target.active or len(draft.new_name) < 2:
            raise Invalid(_("Choose the group the student is enrolled in."))
        name = " ".join(draft.new_name)
        change = Change(0, name, "", target.name, StudentStatus.STUDYING, False)
        return Checked(draft, [change], "", None)
    student = await q.student(session, org_id, draft.student_id or 0)
    if student is None:
        raise Invalid(_("This student is not in the journal of your college."))
    name = student.person.short_name
    stay, back_to = await _check_student(session, draft, student, name)
    from_id = stay.group_id if stay is not None else student.group_id
    from_group = await q.group(session, org_id, from_id) if from_id else None
    from_name = from_group.name if from_group else ""
    to_name, status, ends = "", StudentStatus.STUDYING, False
    if draft.kind is OrderKind.TRANSFER:
        target = await q.group(session, org_id, draft.to_group_id or 0)
        if target is None or not target.active:
            raise Invalid(_("Choose the group the student moves to."))
        to_name = target.name
        if draft.to_subgroup_id is not None:
            sub = await q.subgroup(session, draft.to_subgroup_id)
            if sub is None or sub.group_id != target.id:
                raise Invalid(_("Choose the group the student moves to."))
            to_name = f"{target.name} / {sub.name}"
    elif draft.kind is OrderKind.ACADEMIC_LEAVE:
        status = StudentStatus.ACADEMIC_LEAVE
    elif draft.kind is OrderKind.REINSTATEMENT:
        back = await q.group(session, org_id, back_to or 0)
        to_name = back.name if back else ""
    elif draft.kind is OrderKind.EXPULSION:
        if not draft.note:
            raise Invalid(_("Send the reason of the expulsion as it is in the order."))
        status, ends = StudentStatus.EXPELLED, True
    change = Change(student.id, name, from_name, to_name, status, ends)
    return Checked(draft, [change], "", None)


async def _check_group(session: AsyncSession, actor: Actor, draft: Draft) -> Checked:
    group = await q.group(session, actor.org_id, draft.group_id or 0)
    if group is None or not group.active:
        raise Invalid(_("Choose one of the college's groups."))
    students = await q.current_students(session, group.id)
    if not students:
        raise Invalid(_("Group {group} has no students now.").format(group=group.name))
    assert draft.effective_on is not None
    changes = []
    for student in sorted(students, key=lambda s: s.person.short_name):
        name = student.person.short_name
        await _check_student(session, draft, student, name)
        graduating = draft.kind is OrderKind.GRADUATION
        status = StudentStatus.GRADUATED if graduating else StudentStatus.STUDYING
        changes.append(Change(student.id, name, group.name, "", status, graduating))
    course = group.course_year + 1 if draft.kind is OrderKind.NEXT_COURSE else None
    return Checked(draft, changes, group.name, course)
