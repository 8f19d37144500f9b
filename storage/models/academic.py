"""Groups, students, the curriculum, teaching assignments and the learning calendar."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps, partial_index, str_enum, utcnow
from .enums import AttestationForm, CalendarKind, DisciplineKind, StudentStatus
from .people import Person


class Programme(Base):
    """A specialty or profession (специальность / профессия), e.g. 09.02.07."""

    __tablename__ = "programmes"
    __table_args__ = (UniqueConstraint("org_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))


class Group(Timestamps, Base):
    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(32))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    course_year: Mapped[int] = mapped_column(default=1)
    curriculum_id: Mapped[int | None] = mapped_column(ForeignKey("curricula.id"))
    active: Mapped[bool] = mapped_column(default=True)


class Subgroup(Base):
    __tablename__ = "subgroups"
    __table_args__ = (UniqueConstraint("group_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(32))


class Student(Timestamps, Base):
    """A person studying at the college. ``group_id`` is the current group (kept in step with
    the enrolment history by movement orders) so the hot paths need no history scan."""

    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    record_book: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[StudentStatus] = mapped_column(
        str_enum(StudentStatus), default=StudentStatus.STUDYING
    )

    person: Mapped[Person] = relationship(lazy="joined")


class GroupEnrolment(Base):
    """Group history of a student: one row per stay in a group; nothing is deleted. A stay
    runs from ``since`` to the day before ``until`` (the effective date of the order that
    ended it). Lesson rosters are read from here by the lesson's date."""

    __tablename__ = "group_enrolments"
    __table_args__ = (Index("ix_group_enrolments_group", "group_id", "since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    since: Mapped[date]
    until: Mapped[date | None]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("movement_orders.id"))


class SubgroupMember(Base):
    __tablename__ = "subgroup_members"

    subgroup_id: Mapped[int] = mapped_column(
        ForeignKey("subgroups.id", ondelete="CASCADE"), primary_key=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Discipline(Base):
    """A discipline, professional module (ПМ), МДК or practice. МДК and practices point to
    their module through ``parent_id``."""

    __tablename__ = "disciplines"
    __table_args__ = (UniqueConstraint("org_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[DisciplineKind] = mapped_column(
        str_enum(DisciplineKind), default=DisciplineKind.DISCIPLINE
    )
    cycle: Mapped[str] = mapped_column(String(32), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("disciplines.id"))


class Curriculum(Base):
    """A curriculum (учебный план) of a programme for an intake year."""

    __tablename__ = "curricula"
    __table_args__ = (UniqueConstraint("org_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    academic_year: Mapped[str] = mapped_column(String(16), default="")
    approved_on: Mapped[date | None]
    entered_at: Mapped[datetime | None] = mapped_column(default=utcnow)  # R7: by 1 September


class CurriculumItem(Base):
    """Hours and the attestation form of one discipline in one semester of a curriculum."""

    __tablename__ = "curriculum_items"
    __table_args__ = (UniqueConstraint("curriculum_id", "discipline_id", "semester"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curricula.id", ondelete="CASCADE"))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("disciplines.id"))
    semester: Mapped[int]
    hours: Mapped[int] = mapped_column(default=0)
    attestation_form: Mapped[AttestationForm] = mapped_column(
        str_enum(AttestationForm), default=AttestationForm.NONE
    )


class Period(Base):
    """A period of the learning calendar (semester). ``semester`` is its number within the
    course (1 or 2), matched against curriculum items by the group's course year."""

    __tablename__ = "periods"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    semester: Mapped[int] = mapped_column(default=1)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    closed: Mapped[bool] = mapped_column(default=False)


class CalendarEntry(Base):
    """College calendar: holidays, vacations, sessions, practice; optionally for one group."""

    __tablename__ = "calendar_entries"
    # An entry is known by its kind and name within its scope, as the import matches it.
    __table_args__ = (
        Index("ix_calendar_entries_org_dates", "org_id", "starts_on", "ends_on"),
        Index("uq_calendar_entries_name", "org_id", "kind", "name", "group_id", unique=True),
        partial_index(
            "uq_calendar_entries_college_name",
            *("org_id", "kind", "name"),
            where="group_id IS NULL",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[CalendarKind] = mapped_column(str_enum(CalendarKind))
    name: Mapped[str] = mapped_column(String(128), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))


class TeachingAssignment(Base):
    """Who teaches which discipline to which group (or subgroup): a teacher's scope."""

    __tablename__ = "teaching_assignments"
    __table_args__ = (
        UniqueConstraint("teacher_id", "group_id", "subgroup_id", "discipline_id", "period_id"),
        Index("ix_teaching_assignments_group", "group_id", "discipline_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="CASCADE"))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("disciplines.id"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"))
