"""Intermediate attestation: the period grade of each student of a group in a discipline, in
the form the curriculum names for that semester (exam and diff. credit 2–5, credit
pass/fail…), next to the student's average of current 2–5 grades in the period (all kinds).

The curriculum's semester is counted from the group's course year: course 2, period
semester 1 → curriculum semester 3. Period grades may be entered until the period is
closed (R3 wants them by its last day; lateness is monitoring's business, not a lock).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied, Invalid
from core.i18n import _
from services import access
from services.access import Actor, TeachingScope
from services.policy import Action
from storage import audit, teaching
from storage import journal as q
from storage.models import AttestationForm, Discipline, Group, Period, PeriodGrade

NUMERIC = ("2", "3", "4", "5")
FORM_VALUES: dict[AttestationForm, tuple[str, ...]] = {
    AttestationForm.EXAM: NUMERIC,
    AttestationForm.DIFF_CREDIT: NUMERIC,
    AttestationForm.COURSE_WORK: NUMERIC,
    AttestationForm.QUALIFICATION_EXAM: NUMERIC,
    AttestationForm.CREDIT: ("pass", "fail"),
    AttestationForm.NONE: (),
}


def curriculum_semester(course_year: int, period_semester: int) -> int:
    return (course_year - 1) * 2 + period_semester


def sheet_form(
    group: Group,
    discipline_id: int,
    period: Period,
    forms: Mapping[tuple[int, int, int], AttestationForm],
) -> AttestationForm | None:
    """The form of attestation the group's curriculum names for the discipline in the period
    (``forms``: ``storage.teaching.attestation_forms``); None when there is no sheet to fill."""
    if not group.curriculum_id:
        return None
    semester = curriculum_semester(group.course_year, period.semester)
    form = forms.get((group.curriculum_id, discipline_id, semester))
    return None if form is None or form is AttestationForm.NONE else form


def validate_period_value(form: AttestationForm, value: str) -> str:
    cleaned = value.strip().lower()
    allowed = FORM_VALUES[form]
    if not allowed:
        raise Invalid(_("This discipline has no intermediate attestation in this period."))
    if cleaned not in allowed:
        if allowed == NUMERIC:
            raise Invalid(_("For this form of attestation the grade is 2, 3, 4 or 5."))
        raise Invalid(_("For a credit the grade is pass or fail."))
    return cleaned


def suggested_value(form: AttestationForm, average: float | None) -> str | None:
    """The average rounded half up, for a 2–5 form: what the keypad offers first."""
    if average is None or FORM_VALUES[form] != NUMERIC:
        return None
    rounded = Decimal(str(average)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return str(min(5, max(2, int(rounded))))


@dataclass(frozen=True)
class AttestationRow:
    student_id: int
    name: str
    average: float | None  # of current 2–5 grades in the period; None: no such grades
    grades_count: int
    value: str | None  # the period grade; None: not entered yet
    suggested: str | None


@dataclass(frozen=True)
class AttestationSheet:
    group: Group
    subgroup_id: int | None
    discipline: Discipline
    period: Period
    form: AttestationForm
    rows: tuple[AttestationRow, ...]
    locked: str | None  # why period grades cannot be changed; None: they can

    @property
    def filled(self) -> int:
        return sum(1 for row in self.rows if row.value is not None)

    @property
    def complete(self) -> bool:
        return self.filled == len(self.rows)


async def attestation_sheet(
    session: AsyncSession,
    actor: Actor,
    group_id: int,
    discipline_id: int,
    period_id: int,
    *,
    subgroup_id: int | None = None,
) -> AttestationSheet:
    scope = await _scope(session, actor, group_id, discipline_id, period_id, subgroup_id)
    period = _period(scope)
    form = await _form(session, scope.group, discipline_id, period)
    roster = await q.roster(session, group_id, subgroup_id, period.ends_on)
    ids = [entry.student_id for entry in roster]
    averages = await teaching.grade_averages(session, ids, discipline_id, period_id)
    given = await teaching.period_grades(session, ids, discipline_id, period_id)
    rows = []
    for entry in roster:
        average, count = averages.get(entry.student_id, (None, 0))
        shown = round(average, 2) if average is not None else None
        grade = given.get(entry.student_id)
        rows.append(
            AttestationRow(
                entry.student_id,
                entry.short_name,
                shown,
                count,
                grade.value if grade else None,
                suggested_value(form, average),
            )
        )
    return AttestationSheet(
        scope.group,
        subgroup_id,
        scope.discipline,
        period,
        form,
        tuple(rows),
        _lock_reason(period, form),
    )


async def set_period_grade(
    session: AsyncSession,
    actor: Actor,
    group_id: int,
    discipline_id: int,
    period_id: int,
    student_id: int,
    value: str,
    now: datetime,
    *,
    subgroup_id: int | None = None,
) -> PeriodGrade:
    scope = await _scope(session, actor, group_id, discipline_id, period_id, subgroup_id)
    period = _period(scope)
    await _writable(session, period, group_id, subgroup_id, student_id)
    form = await _form(session, scope.group, discipline_id, period)
    value = validate_period_value(form, value)
    grade = await teaching.period_grade(session, student_id, discipline_id, period_id)
    if grade is None:
        grade = PeriodGrade(
            org_id=actor.org_id,
            student_id=student_id,
            group_id=group_id,
            discipline_id=discipline_id,
            period_id=period_id,
            form=form,
            value=value,
            created_by=actor.person_id,
            created_at=now,
            updated_at=now,
        )
        session.add(grade)
        await session.flush()
        _audit(session, actor, grade, "create", None)
        return grade
    if grade.value == value and grade.form is form:
        return grade
    old = _fields(grade)
    grade.value, grade.form, grade.updated_at = value, form, now
    await session.flush()
    _audit(session, actor, grade, "update", old)
    return grade


async def remove_period_grade(
    session: AsyncSession,
    actor: Actor,
    group_id: int,
    discipline_id: int,
    period_id: int,
    student_id: int,
    *,
    subgroup_id: int | None = None,
) -> None:
    scope = await _scope(session, actor, group_id, discipline_id, period_id, subgroup_id)
    await _writable(session, _period(scope), group_id, subgroup_id, student_id)
    grade = await teaching.period_grade(session, student_id, discipline_id, period_id)
    if grade is None:
        return
    _audit(session, actor, grade, "delete", _fields(grade))
    await session.delete(grade)
    await session.flush()


async def _scope(
    session: AsyncSession,
    actor: Actor,
    group_id: int,
    discipline_id: int,
    period_id: int,
    subgroup_id: int | None,
) -> TeachingScope:
    return await access.teaching_for(
        session,
        actor,
        group_id,
        discipline_id,
        action=Action.GRADE_ATTESTATION,
        period_id=period_id,
        subgroup_id=subgroup_id,
    )


def _period(scope: TeachingScope) -> Period:
    assert scope.period is not None  # teaching_for was given the period's id
    return scope.period


async def _form(
    session: AsyncSession, group: Group, discipline_id: int, period: Period
) -> AttestationForm:
    if group.curriculum_id is None:
        return AttestationForm.NONE
    forms = await teaching.attestation_forms(session, [group.curriculum_id])
    key = (
        group.curriculum_id,
        discipline_id,
        curriculum_semester(group.course_year, period.semester),
    )
    return forms.get(key, AttestationForm.NONE)


def _lock_reason(period: Period, form: AttestationForm) -> str | None:
    if period.closed:
        return access.period_closed(period)
    if form is AttestationForm.NONE:
        return _("This discipline has no intermediate attestation in this period.")
    return None


async def _writable(
    session: AsyncSession,
    period: Period,
    group_id: int,
    subgroup_id: int | None,
    student_id: int,
) -> None:
    if period.closed:
        raise Denied(access.period_closed(period))
    if not await q.on_roster(session, group_id, subgroup_id, student_id, period.ends_on):
        raise Denied(_("This student is not on the attestation list of this group."))


def _fields(grade: PeriodGrade) -> dict[str, object]:
    return {
        "student_id": grade.student_id,
        "discipline_id": grade.discipline_id,
        "period_id": grade.period_id,
        "form": grade.form,
        "value": grade.value,
    }


def _audit(
    session: AsyncSession,
    actor: Actor,
    grade: PeriodGrade,
    action: str,
    old: dict[str, object] | None,
) -> None:
    audit.record(
        session,
        org_id=grade.org_id,
        actor_id=actor.person_id,
        action=action,
        entity="period_grade",
        entity_id=grade.id,
        old=old,
        new=None if action == "delete" else _fields(grade),
    )
