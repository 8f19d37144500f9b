"""The register of a lesson: everyone present by default, one tap cycles a student's mark.

Taps set, they do not flip: the new mark is the one after the mark the device *showed*
(``seen_mark``). Two devices showing the same register and tapping the same student therefore
agree, and a tap delivered twice changes nothing the second time. Each tap locks only that
student's row, so taps on different students from two devices never lose one another.

Storage: one ``Attendance`` row per student once anyone has tapped them; a student tapped back
to present keeps the row with the mark ``present`` (no row and ``present`` mean the same).
Keeping the row gives every change of a mark one stable audit entity (``attendance`` with the
row's id) whose entries read ``mark: [old, new]`` in order, whatever the mark.

Finalising ("Done") sets ``register_done_at``/``register_done_by`` the first time only (so
monitoring sees when the register was first taken) and writes a ``finalise`` audit entry on
entity ``register`` with the absent and late students as finalised. Parents are told from
finalisations, not from taps: a finalisation emits one ``REGISTER_FINALISED`` event listing
the students whose mark differs from what the previous finalisation said (on the first one:
everyone absent or late), and no event when nothing differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, Denied, Invalid
from core.i18n import _
from services import access
from services.access import Actor
from services.policy import Action
from storage import audit, events
from storage import journal as q
from storage.journal import REGISTER_ENTITY, LessonInfo, RosterEntry
from storage.models import Lesson, Mark

NEXT_MARK = {Mark.PRESENT: Mark.ABSENT, Mark.ABSENT: Mark.LATE, Mark.LATE: Mark.PRESENT}


def next_mark(seen: Mark) -> Mark:
    """present → absent → late → present."""
    return NEXT_MARK[seen]


@dataclass(frozen=True)
class RegisterRow:
    student_id: int
    name: str
    mark: Mark


@dataclass(frozen=True)
class RegisterView:
    info: LessonInfo
    rows: tuple[RegisterRow, ...]
    done: bool
    # Why the register cannot be changed now (shown instead of the buttons); None: it can.
    locked: str | None

    @property
    def lesson(self) -> Lesson:
        return self.info.lesson

    @property
    def editable(self) -> bool:
        return self.locked is None

    def count(self, mark: Mark) -> int:
        return sum(1 for row in self.rows if row.mark is mark)

    @property
    def present(self) -> int:
        return self.count(Mark.PRESENT)

    @property
    def absent(self) -> int:
        return self.count(Mark.ABSENT)

    @property
    def late(self) -> int:
        return self.count(Mark.LATE)


@dataclass(frozen=True)
class MarkChange:
    student_id: int
    mark: Mark
    was: Mark


@dataclass(frozen=True)
class Finalised:
    view: RegisterView
    first: bool  # the register had not been finalised before
    changes: tuple[MarkChange, ...]  # what parents will be told; empty: nothing new


async def open_register(
    session: AsyncSession, actor: Actor, lesson_id: int, now: datetime
) -> RegisterView:
    """The register as stored, for the lesson's teacher, the deputy or the director."""
    info = await access.lesson_for_view(session, actor, lesson_id)
    roster, marks = await _roster_with_marks(session, info)
    return await _view(session, actor, info, now, roster, marks)


async def toggle_mark(
    session: AsyncSession,
    actor: Actor,
    lesson_id: int,
    student_id: int,
    seen_mark: Mark | str,
    now: datetime,
) -> RegisterView:
    """Give the student the mark after ``seen_mark`` and return the register as stored."""
    new = next_mark(_parse_mark(seen_mark))
    info = await access.lesson_for_edit(
        session, actor, lesson_id, now, action=Action.MARK_REGISTER, share_lock=True
    )
    # The roster and the marks come in one statement, before the write: the card shows the
    # others' marks as they were a moment before this one (the next tap refreshes them), and
    # the tapped student's as written.
    roster, marks = await _roster_with_marks(session, info)
    if all(entry.student_id != student_id for entry in roster):
        raise Denied(access.not_on_register())
    row_id, old = await q.lock_mark(session, lesson_id, student_id, actor.person_id, now)
    if old is not new:
        await q.set_mark(session, row_id, new, actor.person_id, now)
        _audit_mark(session, actor, info.lesson, row_id, old, new)
    marks[student_id] = new
    return await _view(session, actor, info, now, roster, marks)


async def set_mark(
    session: AsyncSession,
    actor: Actor,
    lesson_id: int,
    student_id: int,
    seen_mark: Mark | str,
    mark: Mark | str,
    now: datetime,
) -> Mark:
    """Give the student ``mark`` (the journal grid), if their mark is still the ``seen_mark``
    the page showed; else ``Conflict`` and nothing changes. A register already finalised is
    finalised again, so parents are told of the change as after "Done" in the chat.
    Returns the mark stored."""
    seen, new = _parse_mark(seen_mark), _parse_mark(mark)
    info = await access.lesson_for_edit(
        session, actor, lesson_id, now, action=Action.MARK_REGISTER, share_lock=True
    )
    await access.check_student(session, info.lesson, student_id)
    row_id, old = await q.lock_mark(session, lesson_id, student_id, actor.person_id, now)
    if old is not seen:
        raise Conflict(access.changed_meanwhile())
    if old is not new:
        await q.set_mark(session, row_id, new, actor.person_id, now)
        _audit_mark(session, actor, info.lesson, row_id, old, new)
        if info.lesson.register_done_at is not None:
            await finalise_register(session, actor, lesson_id, now)
    return new


async def mark_all_present(
    session: AsyncSession, actor: Actor, lesson_id: int, now: datetime
) -> RegisterView:
    info = await access.lesson_for_edit(
        session, actor, lesson_id, now, action=Action.MARK_REGISTER, share_lock=True
    )
    roster = await _roster(session, info)
    ids = [entry.student_id for entry in roster]
    for old in (Mark.ABSENT, Mark.LATE):
        changed = await q.reset_marks(session, lesson_id, ids, old, actor.person_id, now)
        for row_id, _student_id in changed:
            _audit_mark(session, actor, info.lesson, row_id, old, Mark.PRESENT)
    return await _view(session, actor, info, now, roster)


async def finalise_register(
    session: AsyncSession, actor: Actor, lesson_id: int, now: datetime
) -> Finalised:
    """Mark the register done and tell parents (through the outbox) what is new."""
    info = await access.lesson_for_edit(session, actor, lesson_id, now, action=Action.MARK_REGISTER)
    lesson = info.lesson
    await q.claim_register(session, lesson_id, actor.person_id, now)
    # From here the lesson row is held: the history and the marks read below are final.
    await session.refresh(lesson, ["register_done_at", "register_done_by"])
    history = await q.register_finalisations(session, lesson_id)
    before = _finalised_marks(history)
    marks = await q.lesson_marks(session, lesson_id)
    now_marks: dict[int, Mark] = {sid: m for sid, m in marks.items() if m is not Mark.PRESENT}
    roster = await _roster(session, info)
    changes = _differences(before, now_marks, roster)
    first = not history
    if first or changes:
        old: dict[str, Any] = _marks_record(before)
        new: dict[str, Any] = _marks_record(now_marks)
        if first:
            old |= {"register_done_at": None, "register_done_by": None}
            new |= {
                "register_done_at": lesson.register_done_at,
                "register_done_by": lesson.register_done_by,
            }
        audit.record(
            session,
            org_id=lesson.org_id,
            actor_id=actor.person_id,
            action="finalise",
            entity=REGISTER_ENTITY,
            entity_id=lesson_id,
            old=old,
            new=new,
        )
    if changes:
        events.emit(
            session,
            org_id=lesson.org_id,
            kind=events.REGISTER_FINALISED,
            subject=f"register:{lesson_id}",
            payload=_event_payload(info, changes, now_marks),
            actor_id=actor.person_id,
        )
    view = await _view(session, actor, info, now, roster, marks)
    return Finalised(view=view, first=first, changes=changes)


def _parse_mark(value: Mark | str) -> Mark:
    try:
        return Mark(value)
    except ValueError:
        raise Invalid(_("This button is out of date. Please open the register again.")) from None


async def _roster(session: AsyncSession, info: LessonInfo) -> list[RosterEntry]:
    lesson = info.lesson
    return await q.roster(session, lesson.group_id, lesson.subgroup_id, lesson.date)


async def _roster_with_marks(
    session: AsyncSession, info: LessonInfo
) -> tuple[list[RosterEntry], dict[int, Mark]]:
    lesson = info.lesson
    return await q.roster_with_marks(
        session, lesson.id, lesson.group_id, lesson.subgroup_id, lesson.date
    )


async def _view(
    session: AsyncSession,
    actor: Actor,
    info: LessonInfo,
    now: datetime,
    roster: Sequence[RosterEntry],
    marks: dict[int, Mark] | None = None,
) -> RegisterView:
    if marks is None:
        marks = await q.lesson_marks(session, info.lesson.id)
    rows = tuple(
        RegisterRow(e.student_id, e.short_name, marks.get(e.student_id, Mark.PRESENT))
        for e in roster
    )
    done = info.lesson.register_done_at is not None
    return RegisterView(
        info, rows, done, access.lock_reason(actor, info, now, action=Action.MARK_REGISTER)
    )


def _audit_mark(
    session: AsyncSession, actor: Actor, lesson: Lesson, row_id: int, old: Mark, new: Mark
) -> None:
    audit.record(
        session,
        org_id=lesson.org_id,
        actor_id=actor.person_id,
        action="update",
        entity="attendance",
        entity_id=row_id,
        old={"mark": old},
        new={"mark": new},
    )


def _marks_record(marks: dict[int, Mark]) -> dict[str, list[int]]:
    return {
        "absent": sorted(s for s, m in marks.items() if m is Mark.ABSENT),
        "late": sorted(s for s, m in marks.items() if m is Mark.LATE),
    }


def _finalised_marks(history: Sequence[dict[str, Any]]) -> dict[int, Mark]:
    """Absent and late students as the last finalisation left them. Each finalise entry holds
    ``absent``/``late`` only when they changed, as ``[before, after]`` full lists."""
    lists: dict[str, list[int]] = {"absent": [], "late": []}
    for changes in history:
        for key in lists:
            if key in changes:
                lists[key] = changes[key][1]
    return {sid: Mark.ABSENT for sid in lists["absent"]} | {sid: Mark.LATE for sid in lists["late"]}


def _differences(
    before: dict[int, Mark], now: dict[int, Mark], roster: Sequence[RosterEntry]
) -> tuple[MarkChange, ...]:
    """Students whose mark differs from ``before``, in register order (anyone who has left
    the group since comes last)."""
    order = {entry.student_id: i for i, entry in enumerate(roster)}
    touched = sorted(before.keys() | now.keys(), key=lambda s: (order.get(s, len(order)), s))
    return tuple(
        MarkChange(sid, now.get(sid, Mark.PRESENT), before.get(sid, Mark.PRESENT))
        for sid in touched
        if before.get(sid, Mark.PRESENT) is not now.get(sid, Mark.PRESENT)
    )


def _event_payload(
    info: LessonInfo, changes: Sequence[MarkChange], marks: dict[int, Mark]
) -> dict[str, Any]:
    lesson = info.lesson
    return {
        "lesson_id": lesson.id,
        "lesson_date": lesson.date.isoformat(),
        "pair_no": lesson.pair_no,
        "starts_at": lesson.starts_at.isoformat(),
        "group_id": lesson.group_id,
        "group": info.group_name,
        "subgroup": info.subgroup_name,
        "discipline_id": lesson.discipline_id,
        "discipline": info.discipline_name,
        "teacher_id": lesson.teacher_id,
        # What differs from the previous finalisation; parents are told about these.
        "students": [
            {"student_id": c.student_id, "mark": c.mark.value, "was": c.was.value} for c in changes
        ],
        # The whole register as finalised now, for a notifier that merges events.
        **_marks_record(marks),
    }
