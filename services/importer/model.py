"""The college as read from the file, checked and cross-referenced, before any write.

References stay as the file's keys (external ids, codes, names); the writer turns them into
row ids. ``row`` is where the line came from, for messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from storage.models import AttestationForm, CalendarKind, DisciplineKind, Role, WeekParity


@dataclass
class College:
    code: str
    name: str
    short_name: str | None
    region: str | None
    timezone: str
    # services/college_settings.py keys with the values given; an empty cell sets nothing.
    settings: dict[str, str] = field(default_factory=dict)


@dataclass
class CustomPosition:
    code: str
    name: str
    role: Role
    rights: list[str]


@dataclass
class PersonData:
    external_id: str
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date | None = None
    phone: str | None = None
    email: str | None = None
    locale: str | None = None
    sheet: str = ""
    row: int = 0


@dataclass
class StaffRole:
    role: Role
    position: str | None  # a custom position's code; None: the role's built-in position
    group: str | None = None  # curators: the group


@dataclass
class Staff:
    external_id: str
    roles: list[StaffRole]
    left: bool = False  # the ``status`` column says they left: their roles end
    left_on: date | None = None  # from this date (None: the import's day)


@dataclass
class Programme:
    code: str
    name: str | None  # None: the file does not name it (a new programme is named by its code)


@dataclass
class GroupData:
    name: str
    programme_code: str
    course_year: int
    curriculum_code: str | None
    row: int


@dataclass
class SubgroupData:
    group: str
    name: str


@dataclass
class StudentData:
    external_id: str
    group: str
    subgroups: list[str]
    record_book: str | None
    enrolled_on: date | None


@dataclass
class ParentData:
    external_id: str
    children: list[str]


@dataclass
class CurriculumData:
    code: str
    programme_code: str | None = None
    academic_year: str | None = None


@dataclass
class DisciplineData:
    code: str
    name: str
    kind: DisciplineKind
    cycle: str | None
    parent_code: str | None


@dataclass
class CurriculumLine:
    curriculum_code: str
    discipline_code: str
    semester: int
    hours: int | None
    form: AttestationForm


@dataclass
class PeriodData:
    name: str
    semester: int
    starts_on: date
    ends_on: date


@dataclass
class CalendarData:
    kind: CalendarKind
    name: str
    starts_on: date
    ends_on: date
    group: str | None


@dataclass
class BellData:
    pair: int
    starts: time
    ends: time


@dataclass(frozen=True)
class AssignmentData:
    teacher: str
    group: str
    subgroup: str | None
    discipline: str
    period: str | None


@dataclass
class TimetableLine:
    period: str
    group: str
    subgroup: str | None
    weekday: int  # Monday = 0
    pair: int
    parity: WeekParity
    discipline: str
    teacher: str
    room: str | None
    hours: int | None


@dataclass(frozen=True)
class RegionalData:
    """A row of the sheet ``regional`` (services/importer/regional.py)."""

    external_id: str
    colleges: tuple[str, ...]
    row: int


@dataclass
class CollegeData:
    college: College | None = None
    positions: list[CustomPosition] = field(default_factory=list)
    people: dict[str, PersonData] = field(default_factory=dict)
    staff: list[Staff] = field(default_factory=list)
    programmes: dict[str, Programme] = field(default_factory=dict)
    groups: list[GroupData] = field(default_factory=list)
    subgroups: list[SubgroupData] = field(default_factory=list)
    students: list[StudentData] = field(default_factory=list)
    parents: list[ParentData] = field(default_factory=list)
    curricula: dict[str, CurriculumData] = field(default_factory=dict)
    disciplines: dict[str, DisciplineData] = field(default_factory=dict)
    curriculum_lines: list[CurriculumLine] = field(default_factory=list)
    periods: list[PeriodData] = field(default_factory=list)
    calendar: list[CalendarData] = field(default_factory=list)
    bells: list[BellData] = field(default_factory=list)
    regional: list[RegionalData] = field(default_factory=list)
    assignments: list[AssignmentData] = field(default_factory=list)
    timetable: list[TimetableLine] = field(default_factory=list)
