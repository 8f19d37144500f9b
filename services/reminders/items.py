"""What a deadline digest holds: items grouped in sections, one section per rule.

Items are plain data; the text (screens/reminders.py) and the buttons
(keyboards/reminders.py) are made from them in each recipient's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from services.reminders.deadlines import Due
from storage.models import DocumentKind, Role


class Rule(StrEnum):
    """A section of a digest; the value is stored in ``SentReminder.rule`` (8 characters)."""

    REGISTER = "R1"  # registers not finalised
    TOPIC = "R2"  # topics missing on past lessons
    TOPIC_TODAY = "R2D"  # topics missing on the day's lessons (evening)
    ATTESTATION = "R3"
    JUSTIFICATION = "R4"
    ACCOUNTS = "R5"
    CURRICULUM = "R7"
    DOCUMENTS = "R8"
    DISTANCE = "R9"
    DISTANCE_TODAY = "R9D"
    ABSENCES = "ABS"  # unexplained absences (curators)
    WEEKLY = "WEEK"  # the deputy's weekly digest (monitoring, R6 inside)


@dataclass(frozen=True)
class LessonItem:
    lesson_id: int
    day: date
    pair_no: int
    group: str  # with the subgroup: "ИС-21/1"
    discipline: str
    due: Due
    deadline: date


@dataclass(frozen=True)
class SheetItem:
    group_id: int
    subgroup_id: int | None
    group: str
    discipline_id: int
    discipline: str
    period_id: int
    deadline: date
    due: Due
    filled: int
    total: int


@dataclass(frozen=True)
class DocumentItem:
    group_id: int
    group: str
    discipline_id: int
    discipline: str
    missing: tuple[DocumentKind, ...]
    deadline: date
    due: Due


@dataclass(frozen=True)
class AbsenceItem:
    group_id: int
    group: str
    student_id: int
    student: str
    lessons: int
    first: date
    last: date


@dataclass(frozen=True)
class JustificationItem:
    justification_id: int
    student_id: int
    student: str
    group: str
    date_from: date
    date_to: date
    sent_on: date
    deadline: date
    due: Due


@dataclass(frozen=True)
class NewcomerItem:
    person_id: int
    name: str
    role: Role
    order_number: str
    child: str  # a parent's child
    deadline: date
    due: Due


@dataclass(frozen=True)
class CurriculumNote:
    year: int
    deadline: date
    due: Due


@dataclass(frozen=True)
class TeacherLoad:
    """A teacher's overdue items in the deputy's weekly digest."""

    teacher_id: int
    name: str
    registers: int = 0
    topics: int = 0
    distance: int = 0
    sheets: int = 0
    documents: int = 0

    @property
    def total(self) -> int:
        return self.registers + self.topics + self.distance + self.sheets + self.documents


@dataclass(frozen=True)
class LateOrder:
    number: str
    kind: str
    decided_on: date
    entered_on: date


@dataclass(frozen=True)
class Weekly:
    first: date
    last: date
    teachers: tuple[TeacherLoad, ...]
    late_orders: tuple[LateOrder, ...]
    curriculum: CurriculumNote | None

    @property
    def empty(self) -> bool:
        return not (self.teachers or self.late_orders or self.curriculum)


Item = (
    LessonItem
    | SheetItem
    | DocumentItem
    | AbsenceItem
    | JustificationItem
    | NewcomerItem
    | CurriculumNote
    | Weekly
)


@dataclass(frozen=True)
class Section:
    rule: Rule
    items: tuple[Item, ...]

    def key(self, person_id: int, day: date) -> str:
        """The reminder's key: the same rule reaches a person at most once a day."""
        return f"{self.rule}:{person_id}:{day.isoformat()}"


@dataclass
class Digest:
    """Everything one person is reminded of in one scan: one message."""

    person_id: int
    day: date
    sections: list[Section] = field(default_factory=list)

    def keys(self) -> dict[str, Section]:
        return {section.key(self.person_id, self.day): section for section in self.sections}

    def only(self, keys: set[str]) -> Digest:
        kept = [s for k, s in self.keys().items() if k in keys]
        return Digest(self.person_id, self.day, kept)
