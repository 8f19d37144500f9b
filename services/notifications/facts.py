"""Journal events as facts a family is told about: one grade, one mark, one absence reason.

Event payloads read here (written by services/journal/grades.py and services/journal/register.py):

* ``grade.created|changed|removed``: ``grade_id, student_id, lesson_id, lesson_date,
  discipline, value (None once removed), old_value, kind, comment``;
* ``register.finalised``: ``lesson_id, lesson_date, pair_no, discipline`` and ``students``:
  ``[{student_id, mark, was}]``, the marks that differ from the previous finalisation;
* ``absence.reason_set``: ``student_id, lesson_id, reason (None once cleared), old_reason``
  and, when at hand, ``lesson_date, pair_no, discipline`` (else they are looked up);
  ``attendance_id`` alone is enough to find the student and the lesson.

A fact keeps what was before and what is now. Facts about the same thing (one ``subject``)
merge into one: the first one's "before" with the last one's "now"; equal means nothing to say.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from services.notifications.prefs import ATTENDANCE, GRADES, REASONS
from storage import events
from storage.models import Event, Mark

GRADE_EVENTS = (events.GRADE_CREATED, events.GRADE_CHANGED, events.GRADE_REMOVED)
FACT_EVENTS = (*GRADE_EVENTS, events.REGISTER_FINALISED, events.ABSENCE_REASON_SET)


@dataclass(frozen=True)
class Fact:
    kind: str  # the preference kind: grades, attendance, reasons
    subject: str  # what later facts about the same thing supersede
    student_id: int
    lesson_id: int | None
    lesson_date: date | None
    discipline: str
    pair_no: int | None
    was: str | None  # grade value, mark (absent/late) or reason before; None: nothing
    now: str | None  # … and now
    grade_kind: str | None = None
    comment: str = ""
    attendance_id: int | None = None

    @property
    def complete(self) -> bool:
        return bool(self.lesson_id and self.lesson_date and self.discipline)


def facts_of(event: Event) -> list[Fact]:
    p = event.payload
    if event.kind in GRADE_EVENTS:
        return [
            Fact(
                kind=GRADES,
                subject=f"grade:{p['grade_id']}",
                student_id=int(p["student_id"]),
                lesson_id=_int(p.get("lesson_id")),
                lesson_date=_date(p.get("lesson_date")),
                discipline=str(p.get("discipline") or ""),
                pair_no=_int(p.get("pair_no")),
                was=None if event.kind == events.GRADE_CREATED else p.get("old_value"),
                now=p.get("value"),
                grade_kind=p.get("kind"),
                comment=str(p.get("comment") or ""),
            )
        ]
    if event.kind == events.REGISTER_FINALISED:
        return [
            Fact(
                kind=ATTENDANCE,
                subject=f"mark:{p['lesson_id']}:{s['student_id']}",
                student_id=int(s["student_id"]),
                lesson_id=int(p["lesson_id"]),
                lesson_date=_date(p.get("lesson_date")),
                discipline=str(p.get("discipline") or ""),
                pair_no=_int(p.get("pair_no")),
                was=_mark(s.get("was")),
                now=_mark(s.get("mark")),
            )
            for s in p.get("students", [])
        ]
    if event.kind == events.ABSENCE_REASON_SET:
        lesson_id, student_id = _int(p.get("lesson_id")), _int(p.get("student_id"))
        return [
            Fact(
                kind=REASONS,
                subject=f"reason:{lesson_id}:{student_id}",
                student_id=student_id or 0,
                lesson_id=lesson_id,
                lesson_date=_date(p.get("lesson_date")),
                discipline=str(p.get("discipline") or ""),
                pair_no=_int(p.get("pair_no")),
                was=p.get("old_reason"),
                now=p.get("reason"),
                attendance_id=_int(p.get("attendance_id")),
            )
        ]
    return []


def merged(first: Fact, last: Fact) -> Fact | None:
    """What to say about ``last`` when ``first`` was not said yet; None when nothing changed."""
    fact = replace(last, was=first.was)
    return None if fact.was == fact.now else fact


def net(facts: list[Fact]) -> list[Fact]:
    """Facts merged per subject, in the order subjects first appear; no-change ones dropped."""
    first: dict[str, Fact] = {}
    last: dict[str, Fact] = {}
    for fact in facts:
        first.setdefault(fact.subject, fact)
        last[fact.subject] = fact
    result = (merged(first[s], last[s]) for s in first)
    return [fact for fact in result if fact is not None]


def _mark(value: Any) -> str | None:
    """Present is the absence of news: None."""
    return None if value in (None, Mark.PRESENT.value) else str(value)


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None
